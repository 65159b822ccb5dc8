using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using TorrentPS.Benchmarks.Transfer;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Benchmarks;

/// <summary>
/// A session of many small torrents under connections, measured from outside (issue 17's scale figures): a child
/// process (<c>session-host</c>) seeds <c>--torrents</c> torrents from one session on 127.0.0.1; this process downloads
/// them with enough downloader sessions to hold about <c>--connections</c> connections to it, which stay open (each
/// downloader takes one of a torrent's two files and seeds it on: neither side is a seed of the whole torrent, so
/// neither closes the connection as of no use). The host's threads (by kind: loops, readers, writers), peak RSS and CPU are read from
/// <c>/proc</c>: idle before any peer, during the downloads, then idle with every connection open, each idle phase for
/// <c>--idle</c> seconds after 10 s (or 6 s: idle writers end after 5 s) of settling.
/// <code>dotnet run -c Release --project tests/TorrentPS.Benchmarks -- session [--torrents 200] [--connections 500] [--length 65536] [--idle 30]</code>
/// </summary>
internal static class SessionBenchmark
{
    private const int Batch = 40;

    public static async Task<int> RunAsync(string[] args)
    {
        var torrents = Option(args, "--torrents", 200);
        var connections = Option(args, "--connections", 500);
        var length = Option(args, "--length", 64 * 1024);
        var idleSeconds = Option(args, "--idle", 30);
        var folder = Directory.CreateTempSubdirectory("tps-session-bench-").FullName;
        try
        {
            Console.Error.WriteLine($"session: {torrents} torrents of {length} bytes, about {connections} connections; content in {folder}");
            var infos = MakeTorrents(folder, torrents, length);
            var self = typeof(SessionBenchmark).Assembly.Location;
            var start = new ProcessStartInfo("dotnet", [self, "session-host", folder, torrents.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var host = Process.Start(start)!;
            var port = int.Parse((await ReadLineStartingAsync(host, "READY ")).Split(' ')[1], CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"host {host.Id} seeds {torrents} torrents on 127.0.0.1:{port}");

            // The host's start (the checks, the JIT's second tier) settles first; then the session has nothing to do.
            await Task.Delay(TimeSpan.FromSeconds(10));
            var quiet = await MeasureIdleAsync(host.Id, idleSeconds);
            var sampler = new ThreadSampler(host.Id);
            var downloaders = new List<TorrentSession>();
            var watch = Stopwatch.StartNew();
            var remaining = connections;
            var all = new List<Torrent>();
            while (remaining > 0)
            {
                var session = new TorrentSession(listen: ListenSettings.AnyPort(IPAddress.Loopback));
                session.Limits.MaxConnections = torrents + 10;
                downloaders.Add(session);
                var take = Math.Min(remaining, torrents);
                var target = Path.Combine(folder, $"down-{downloaders.Count}");

                // In batches: the host's listener takes 64 handshakes at a time and turns away the rest (they back off
                // and retry in seconds to minutes); a storm of hundreds of dials at once is no use to measure.
                foreach (var batch in infos.Take(take).Chunk(Batch))
                {
                    var started = batch.Select(info => session.Start(TransferRequest.Download(info, target) with
                    {
                        FileChoice = FileChoice.Of([MainFile]),
                        Peers = [new IPEndPoint(IPAddress.Loopback, port)],
                        UseTrackers = false,
                        SeedUntilStopped = true,
                    })).ToArray();
                    all.AddRange(started);
                    while (started.Any(t => t.State is not (TorrentState.Seeding or TorrentState.Failed)))
                    {
                        await Task.Delay(20);
                    }
                }

                remaining -= take;
            }

            var said = Stopwatch.StartNew();
            while (all.Any(t => t.State != TorrentState.Seeding))
            {
                if (all.FirstOrDefault(t => t.State == TorrentState.Failed) is { } failed)
                {
                    throw new InvalidOperationException($"{failed.Name} failed: {failed.Error}");
                }

                if (said.Elapsed > TimeSpan.FromSeconds(10))
                {
                    said.Restart();
                    Console.Error.WriteLine($"{watch.Elapsed.TotalSeconds:0} s: " + string.Join(", ", all.GroupBy(t => t.State).Select(g => $"{g.Count()} {g.Key}")));
                }

                await Task.Delay(100);
            }

            var transfer = watch.Elapsed;
            var busy = sampler.Stop();
            var open = await StatusAsync(host);

            // Writers end after 5 s without anything to send; then the session has nothing to do.
            await Task.Delay(TimeSpan.FromSeconds(6));
            var idle = await MeasureIdleAsync(host.Id, idleSeconds);
            var openAfter = await StatusAsync(host);

            Console.WriteLine($"| phase | connections | threads | loops | readers | writers | CPU s | CPU % of a core |");
            Console.WriteLine($"|---|---|---|---|---|---|---|---|");
            Console.WriteLine(Row($"idle, no peer ({idleSeconds} s)", "0", quiet));
            Console.WriteLine($"| downloads of {all.Count} torrents ({transfer.TotalSeconds:0.0} s) | {open} | peak {busy.Threads} | {busy.Loops} | peak {busy.Readers} | peak {busy.Writers} | | |");
            Console.WriteLine(Row($"idle, connections open ({idleSeconds} s)", openAfter, idle));
            Console.WriteLine($"peak RSS {ProcessCpu.PeakRssKiB(host.Id) / 1024.0:0.0} MiB");

            await host.StandardInput.WriteLineAsync("quit");
            await host.WaitForExitAsync();
            foreach (var session in downloaders)
            {
                await session.DisposeAsync();
            }

            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder.
            }
        }
    }

    /// <summary>The child: seeds every torrent of the folder from one session, says READY with its port, answers <c>status</c>, ends on <c>quit</c>.</summary>
    public static async Task<int> HostAsync(string[] args)
    {
        var folder = args[0];
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        await using var session = new TorrentSession(listen: ListenSettings.AnyPort(IPAddress.Loopback));
        session.Limits.MaxConnections = 100_000;
        var torrents = new List<Torrent>();
        for (var i = 0; i < count; i++)
        {
            var info = TorrentInfo.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, $"t{i}.torrent")));
            torrents.Add(session.Start(TransferRequest.Seed(info, Path.Combine(folder, "data")) with { UseTrackers = false }));
        }

        while (torrents.Any(t => t.State != TorrentState.Seeding))
        {
            await Task.Delay(50);
        }

        Console.WriteLine($"READY {session.ListenPort}");
        while (await Console.In.ReadLineAsync() is { } line && line != "quit")
        {
            if (line == "status")
            {
                Console.WriteLine($"STATUS {session.GetStatus().Connections}");
            }
        }

        return 0;
    }

    private static string Row(string phase, string connections, (ProcessCpu Cpu, double Seconds, ThreadCounts Threads) measured)
        => $"| {phase} | {connections} | {measured.Threads.Threads} | {measured.Threads.Loops} | {measured.Threads.Readers} | {measured.Threads.Writers} | {measured.Cpu.TotalSeconds:0.00} | {measured.Cpu.TotalSeconds * 100 / measured.Seconds:0.0} |";

    private static async Task<(ProcessCpu Cpu, double Seconds, ThreadCounts Threads)> MeasureIdleAsync(int pid, int seconds)
    {
        var before = ProcessCpu.Read(pid);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var cpu = ProcessCpu.Read(pid) - before;
        return (cpu, watch.Elapsed.TotalSeconds, ThreadCounts.Read(pid));
    }

    private static async Task<string> StatusAsync(Process host)
    {
        await host.StandardInput.WriteLineAsync("status");
        return (await ReadLineStartingAsync(host, "STATUS ")).Split(' ')[1];
    }

    private static async Task<string> ReadLineStartingAsync(Process process, string prefix)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the host exited before printing {prefix}");
    }

    /// <summary>
    /// Torrents of two files each: <c>main.bin</c> (<paramref name="length"/> bytes) and a one-piece <c>extra.bin</c>. The
    /// downloaders choose <c>main.bin</c> only, so once they have it they seed their choice without being seeds of the
    /// whole torrent, and the host (a seed of everything) keeps their connections open: the idle phase measures them.
    /// </summary>
    private static List<TorrentInfo> MakeTorrents(string folder, int count, int length)
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        var infos = new List<TorrentInfo>();
        const int pieceLength = 16384;
        for (var i = 0; i < count; i++)
        {
            var name = $"small-{i}";
            var main = RandomNumberGenerator.GetBytes(length);
            var extra = RandomNumberGenerator.GetBytes(pieceLength);
            var files = Directory.CreateDirectory(Path.Combine(data, name)).FullName;
            File.WriteAllBytes(Path.Combine(files, MainFile), main);
            File.WriteAllBytes(Path.Combine(files, "extra.bin"), extra);
            var content = new byte[main.Length + extra.Length];
            main.CopyTo(content, 0);
            extra.CopyTo(content, main.Length);
            using var pieces = new MemoryStream();
            for (var offset = 0; offset < content.Length; offset += pieceLength)
            {
                pieces.Write(SHA1.HashData(content.AsSpan(offset, Math.Min(pieceLength, content.Length - offset))));
            }

            using var torrent = new MemoryStream();
            Write(torrent, $"d4:infod5:filesld6:lengthi{main.Length}e4:pathl{MainFile.Length}:{MainFile}eed6:lengthi{extra.Length}e4:pathl9:extra.bineee");
            Write(torrent, $"4:name{name.Length}:{name}12:piece lengthi{pieceLength}e6:pieces{pieces.Length}:");
            torrent.Write(pieces.ToArray());
            Write(torrent, "ee");
            var bytes = torrent.ToArray();
            File.WriteAllBytes(Path.Combine(folder, $"t{i}.torrent"), bytes);
            infos.Add(TorrentInfo.Parse(bytes));
        }

        return infos;
    }

    /// <summary>The file of each torrent the downloaders choose.</summary>
    private const string MainFile = "main.bin";

    private static void Write(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>A process's threads by what they do (their names, as the kernel keeps them: 15 characters).</summary>
    private readonly record struct ThreadCounts(int Threads, int Loops, int Readers, int Writers)
    {
        public static ThreadCounts Read(int pid)
        {
            int threads = 0, loops = 0, readers = 0, writers = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string name;
                try
                {
                    name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                }
                catch (IOException)
                {
                    continue; // the thread ended meanwhile
                }

                threads++;
                loops += name.StartsWith("TorrentPS torre", StringComparison.Ordinal) ? 1 : 0;
                readers += name.StartsWith("TorrentPS peer", StringComparison.Ordinal) ? 1 : 0;
                writers += name.StartsWith("TorrentPS write", StringComparison.Ordinal) ? 1 : 0;
            }

            return new(threads, loops, readers, writers);
        }
    }

    /// <summary>Samples a process's threads every 100 ms and keeps the most of each kind.</summary>
    private sealed class ThreadSampler
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private ThreadCounts _peak;

        public ThreadSampler(int pid) => _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var now = ThreadCounts.Read(pid);
                _peak = new(Math.Max(_peak.Threads, now.Threads), Math.Max(_peak.Loops, now.Loops), Math.Max(_peak.Readers, now.Readers), Math.Max(_peak.Writers, now.Writers));
                await Task.Delay(100);
            }
        });

        public ThreadCounts Stop()
        {
            _stop.Cancel();
            _sampling.Wait();
            return _peak;
        }
    }
}
