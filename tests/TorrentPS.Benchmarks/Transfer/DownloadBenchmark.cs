using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// <c>download</c>: for each seeder count a row set. That many libtorrent seeders start, each on its own loopback
/// address (127.0.9.10, .11, …), and serve the data for all the runs of the row set; in each run every client downloads
/// it once to a fresh folder, in an order that rotates from run to run (run 1: A B C, run 2: B C A, …) so that no client
/// always follows the same one, after an uncounted warm-up download (<c>--warm-ups</c>, 1 by default). Each download is checked against the data (SHA-256) and timed as a whole process
/// (<see cref="TimedProcess"/>); the seeders' CPU during it is read from /proc. The probe clients (issue 20's floor) talk
/// to one peer: they run in the one-seeder row set only, and with them the table has ratios against the probe.
/// </summary>
internal static class DownloadBenchmark
{
    private static readonly string[] DefaultClients = ["tps", "tps-aot", "pwsh", "pwsh-baseline", "libtorrent"];

    public static async Task<int> RunAsync(string root, BenchContent content, TransferSettings settings)
    {
        var programs = new ClientPrograms(settings);
        var clients = (settings.Clients ?? DefaultClients).Select(c => ClientName.Parse(c, ClientName.DownloadKinds)).ToArray();
        foreach (var client in clients)
        {
            if (client.IsProbe && content.IsMultiFile)
            {
                throw new ArgumentException($"{client.Label}: the probe downloads single-file torrents only (--files 1).");
            }

            programs.Check(client);
            Console.WriteLine($"  {client.Label}: {Program(programs, client)}");
        }

        var environment = new Dictionary<string, string>(settings.Environment, StringComparer.Ordinal);
        environment.TryAdd("TORRENTPS_STATE", Path.Combine(root, "state"));
        var tables = new List<string>();
        foreach (var count in settings.Seeders)
        {
            var seeders = new List<SeederProcess>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    seeders.Add(await SeederProcess.StartLibtorrentAsync(root, content, $"127.0.9.{10 + i}"));
                }

                var peers = seeders.Select(s => s.EndPoint).ToArray();
                var rowSet = $"{count} seeder{(count == 1 ? "" : "s")}";
                Console.WriteLine($"{rowSet} ({string.Join(' ', peers)}), load average {LoadAverage()}");
                var rowClients = count == 1 ? clients : clients.Where(c => !c.IsProbe).ToArray();
                if (rowClients.Length < clients.Length)
                {
                    Console.WriteLine($"  {string.Join(", ", clients.Where(c => c.IsProbe).Select(c => c.Label))}: one peer only, not in this row set");
                }

                // Uncounted downloads first, by the clients that download (in turn): the seeders' first serve is not a client's figure.
                var downloaders = rowClients.Where(c => c.Downloads).ToArray();
                for (var w = 0; w < settings.WarmUps && downloaders.Length > 0; w++)
                {
                    var client = downloaders[w % downloaders.Length];
                    var measurement = await DownloadOnceAsync(client, programs, content, peers, seeders, environment, root, log: null);
                    Console.WriteLine($"  warm-up {client.Label} (not counted): {measurement}");
                }

                var results = rowClients.ToDictionary(c => c.Label, _ => new List<RunMeasurement>(), StringComparer.Ordinal);
                for (var run = 0; run < settings.Runs; run++)
                {
                    for (var k = 0; k < rowClients.Length; k++)
                    {
                        var client = rowClients[(run + k) % rowClients.Length];
                        var log = settings.Logs is null ? null : Path.Combine(settings.Logs, $"{count}-seeders-{client.Label}-run{run + 1}.log");
                        var measurement = await DownloadOnceAsync(client, programs, content, peers, seeders, environment, root, log, run + 1);
                        results[client.Label].Add(measurement);
                        Console.WriteLine($"  run {run + 1} {client.Label}: {measurement}");
                        if (settings.Csv is not null)
                        {
                            ResultTable.AppendCsv(settings.Csv, rowSet, client.Label, run + 1, measurement);
                        }
                    }
                }

                var labels = rowClients.Select(c => c.Label).ToArray();

                // The floor the probe columns compare with: the Native AOT probe when it ran, else the JIT one.
                var floor = new[] { "probe-aot", "probe" }.FirstOrDefault(results.ContainsKey);
                var table = $"{content.Length / (1024 * 1024)} MiB from {rowSet}, {settings.Runs} runs, load average after {LoadAverage()}{(floor is null ? "" : $"; × probe: against {floor}")}:\n\n"
                    + ResultTable.Format(labels, results, content.Length, "seeders'", floor)
                    + ResultTable.PwshShare(labels, results);
                tables.Add(table);
                Console.WriteLine();
                Console.WriteLine(table);
            }
            finally
            {
                foreach (var seeder in seeders)
                {
                    seeder.Dispose();
                }
            }
        }

        if (tables.Count > 1)
        {
            Console.WriteLine("All row sets:");
            Console.WriteLine();
            Console.WriteLine(string.Join(Environment.NewLine, tables));
        }

        return 0;
    }

    /// <summary>One client's download to a fresh folder: timed, checked against the data, the folder removed.</summary>
    private static async Task<RunMeasurement> DownloadOnceAsync(ClientName client, ClientPrograms programs, BenchContent content, string[] peers, List<SeederProcess> seeders, Dictionary<string, string> environment, string root, string? log, int run = 0)
    {
        var output = Path.Combine(root, "out");
        // A sequential client's file is sampled as it grows (single-file content: the file itself).
        using var sampler = client.Sequential && !content.IsMultiFile ? new PrefixSampler(content.DataPath, Path.Combine(output, content.Name)) : null;
        var measurement = await TimedProcess.RunAsync(Command(client, programs, content, output, peers), environment, log, () => seeders.Sum(s => s.Cpu().TotalSeconds), root);
        if (client.Downloads)
        {
            content.AssertDownloaded(content.IsMultiFile && client.Program is "tps" or "tps-aot" ? output : Path.Combine(output, content.Name));
        }

        if (sampler is not null)
        {
            await sampler.StopAsync();
            var mib = (int)(content.Length / (1024 * 1024));
            Console.WriteLine($"  {(run == 0 ? "warm-up" : $"run {run}")} {client.Label} {sampler.Report(content.Length, measurement.WallSeconds, [mib / 16, mib / 4, mib / 2, mib * 3 / 4, mib])}");
        }

        Directory.Delete(output, recursive: true);
        return measurement;
    }

    /// <summary>The program or module a client runs, printed before the runs so that the table says what it measured.</summary>
    private static string Program(ClientPrograms programs, ClientName client) => client.Kind switch
    {
        "tps" or "tps-aot" => programs.TpsOf(client),
        "tps-seq" or "tps-aot-seq" => $"{programs.TpsOf(client)} download --sequential",
        "libtorrent" => $"{ClientPrograms.Python} (python3-libtorrent's downloader)",
        "probe" or "probe-aot" => $"{programs.ProbeOf(client)} (the floor: one peer, nothing but the download)",
        _ => $"{ClientPrograms.Pwsh} with {programs.Module(client.Build)}",
    };

    private static string[] Command(ClientName client, ClientPrograms programs, BenchContent content, string output, string[] peers)
    {
        var quotedPeers = string.Join(',', peers.Select(p => $"'{p}'"));
        var root = Path.GetDirectoryName(content.TorrentPath)!;
        return client.Kind switch
        {
            "tps" or "tps-aot" or "tps-seq" or "tps-aot-seq" => [programs.TpsOf(client), "download", "-o", content.IsMultiFile ? output : Path.Combine(output, content.Name), .. peers.SelectMany(p => new[] { "--peer", p }), .. (client.Sequential ? new[] { "--sequential" } : []), content.TorrentPath],
            "libtorrent" => [ClientPrograms.Python, LibtorrentScripts.DownloaderPath(root), content.TorrentPath, output, "127.0.9.200", .. peers],
            "probe" or "probe-aot" => [programs.ProbeOf(client), "download", "-o", Path.Combine(output, content.Name), "--peer", peers[0], content.TorrentPath],

            // The module inside a real pwsh: the engine in-process, where the runtime's settings are pwsh's.
            "pwsh" => Pwsh(programs.Module(client.Build), output,
                $"Start-TorrentDownload -LiteralPath '{content.TorrentPath}' -Destination '{output}' -Peer {quotedPeers} -ProgressAction SilentlyContinue | Out-Null"),

            // What pwsh costs besides the download, as issue 20 measured it: start, import, and writing the same bytes.
            "pwsh-baseline" => Pwsh(programs.Module(client.Build), output, $"Copy-Item -LiteralPath '{content.DataPath}' -Destination '{output}' -Recurse"),

            // pwsh starting and importing the module, then living about as long as its download does (2 s): pwsh's
            // own cost over that time (the runtime recompiles pwsh's hot start-up code in the background).
            "pwsh-idle" => Pwsh(programs.Module(client.Build), output, "Start-Sleep -Seconds 2"),

            // pwsh starting and importing the module, nothing else.
            _ => Pwsh(programs.Module(client.Build), output, ""),
        };
    }

    private static string[] Pwsh(string module, string output, string script) =>
        [ClientPrograms.Pwsh, "-NoProfile", "-NonInteractive", "-Command", $"Import-Module '{module}'; $null = New-Item -ItemType Directory '{output}'; {script}"];

    /// <summary>The 1-minute load average: on a shared machine it says how much else ran beside the benchmark.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg")
        ? File.ReadAllText("/proc/loadavg").Split(' ')[0] + string.Create(CultureInfo.InvariantCulture, $" on {Environment.ProcessorCount} CPUs")
        : "unknown";
}
