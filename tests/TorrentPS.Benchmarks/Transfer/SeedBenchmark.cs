using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// <c>seed</c>: each seeder named in <c>--clients</c> (<c>tps</c>, <c>tps-aot</c>, <c>tps@build</c>, <c>libtorrent</c>)
/// starts once and serves the data; in each run libtorrent's downloader fetches it from each of them in turn (the order
/// rotating from run to run), from a fresh loopback address. The table's wall time and MB/s are the downloader's; CPU
/// (from /proc, exact), context switches (perf stat attached to the seeder for the run: all threads, both kinds
/// together) and peak RSS (VmHWM, the seeder's whole life, its start-up check included) are the seeder's; the
/// downloader's CPU is beside them.
/// </summary>
internal static class SeedBenchmark
{
    public static async Task<int> RunAsync(string root, BenchContent content, TransferSettings settings)
    {
        var programs = new ClientPrograms(settings);
        var clients = (settings.Clients ?? ["tps", "libtorrent"]).Select(c => ClientName.Parse(c, ClientName.SeedKinds)).ToArray();
        foreach (var client in clients)
        {
            programs.Check(client);
        }

        var downloader = LibtorrentScripts.DownloaderPath(root);
        var seeders = new Dictionary<string, SeederProcess>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < clients.Length; i++)
            {
                var client = clients[i];
                seeders[client.Label] = client.Kind == "libtorrent"
                    ? await SeederProcess.StartLibtorrentAsync(root, content, $"127.0.9.{10 + i}")
                    : await SeederProcess.StartTpsAsync(programs.TpsOf(client), content);
                Console.WriteLine($"  {client.Label}: {seeders[client.Label].EndPoint} ({(client.Kind == "libtorrent" ? "libtorrent" : programs.TpsOf(client))})");
            }

            Console.WriteLine($"load average {DownloadBenchmark.LoadAverage()}");
            var results = clients.ToDictionary(c => c.Label, _ => new List<RunMeasurement>(), StringComparer.Ordinal);
            for (var run = 0; run < settings.Runs; run++)
            {
                for (var k = 0; k < clients.Length; k++)
                {
                    var client = clients[(run + k) % clients.Length];
                    var seeder = seeders[client.Label];
                    var output = Path.Combine(root, "out");
                    var address = string.Create(CultureInfo.InvariantCulture, $"127.0.9.{100 + ((run * clients.Length) + k) % 150}");
                    var log = settings.Logs is null ? null : Path.Combine(settings.Logs, $"seed-{client.Label}-run{run + 1}.log");
                    var cpuBefore = seeder.Cpu();
                    var perf = PerfStatAttach.Start(seeder.Id, root);
                    var download = await TimedProcess.RunAsync([ClientPrograms.Python, downloader, content.TorrentPath, output, address, seeder.EndPoint], settings.Environment, log, () => 0, root);
                    var switches = await perf.StopAsync();
                    var cpu = seeder.Cpu() - cpuBefore;
                    content.AssertDownloaded(Path.Combine(output, content.Name));
                    Directory.Delete(output, recursive: true);
                    var measurement = new RunMeasurement(download.WallSeconds, cpu.UserSeconds, cpu.SystemSeconds, seeder.PeakRssKiB(), null, null, switches, download.CpuSeconds);
                    results[client.Label].Add(measurement);
                    Console.WriteLine($"  run {run + 1} {client.Label}: {measurement}");
                    if (settings.Csv is not null)
                    {
                        ResultTable.AppendCsv(settings.Csv, "seed", client.Label, run + 1, measurement);
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"libtorrent's downloader fetching {content.Length / (1024 * 1024)} MiB from each seeder, {settings.Runs} runs, load average after {DownloadBenchmark.LoadAverage()} (wall and MB/s: the downloader's; CPU, switches, RSS: the seeder's):");
            Console.WriteLine();
            Console.WriteLine(ResultTable.Format([.. clients.Select(c => c.Label)], results, content.Length, "downloader's"));
        }
        finally
        {
            foreach (var seeder in seeders.Values)
            {
                seeder.Dispose();
            }
        }

        return 0;
    }
}
