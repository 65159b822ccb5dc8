using System.Runtime.InteropServices;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// <c>serve</c>: the data and its libtorrent seeders (<c>--seeders N</c>, the first count given), kept until SIGINT or
/// SIGTERM, for looking inside one client by hand (perf, strace, logs) against the same swarm the benchmark uses.
/// Prints the torrent, the data and the peers as <c>tps download</c> and <c>Start-TorrentDownload</c> take them.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string root, BenchContent content, TransferSettings settings)
    {
        var stop = new TaskCompletionSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var seeders = new List<SeederProcess>();
        try
        {
            for (var i = 0; i < settings.Seeders[0]; i++)
            {
                seeders.Add(await SeederProcess.StartLibtorrentAsync(root, content, $"127.0.9.{10 + i}"));
            }

            Console.WriteLine($"torrent: {content.TorrentPath}");
            Console.WriteLine($"data: {content.DataPath}");
            Console.WriteLine($"tps: {string.Join(' ', seeders.Select(s => $"--peer {s.EndPoint}"))}");
            Console.WriteLine($"pwsh: -Peer {string.Join(',', seeders.Select(s => $"'{s.EndPoint}'"))}");
            Console.WriteLine("serving until SIGINT or SIGTERM");
            await stop.Task;
        }
        finally
        {
            foreach (var seeder in seeders)
            {
                seeder.Dispose();
            }
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }
}
