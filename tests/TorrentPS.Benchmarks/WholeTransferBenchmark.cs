using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace TorrentPS.Benchmarks;

/// <summary>
/// Whole transfers on loopback, timed as whole processes beside the reference clients in the same run (machines here
/// differ by up to 3× from one day to the next: only figures from one run compare).
/// <code>
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- download [--size-mib 1024] [--piece-kib 1024] [--files 1] [--seeders 1] [--runs 3] [--dir /dev/shm] [--clients tps,libtorrent,pwsh,pwsh-baseline] [--tps out/tps/tps]
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- seed [--size-mib 1024] [--piece-kib 1024] [--runs 3] [--dir /dev/shm]
/// </code>
/// <c>download</c>: python3-libtorrent seeders (uTP off, INTEROP.md's settings) serve random data; each client downloads it
/// to the folder given (tmpfs by default) in turn; wall time, MB/s, CPU seconds and peak RSS (from <c>/usr/bin/time</c>) per
/// client, medians with minimum and maximum. <c>pwsh</c> runs Start-TorrentDownload from the built module (build.ps1) in
/// a real pwsh; <c>pwsh-baseline</c> only imports the module, so the difference is the download's share. <c>seed</c>: libtorrent's downloader fetches the data from <c>tps seed</c> and
/// from libtorrent's own seeder in turn; the seeders' CPU and peak RSS come from /proc.
/// </summary>
internal static class WholeTransferBenchmark
{
    private const string Python = "/usr/bin/python3";

    private const string SeederScript = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        s = lt.session({'listen_interfaces': '%s:%d' % (ip, port), 'outgoing_interfaces': ip, 'enable_upnp': False,
            'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False, 'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'allow_multiple_connections_per_ip': True,
            'upload_rate_limit': 0, 'download_rate_limit': 0, 'max_failcount': 1000})
        p = lt.add_torrent_params(); p.ti = lt.torrent_info(torrent); p.save_path = save_path; p.flags = lt.torrent_flags.seed_mode
        s.add_torrent(p)
        while s.listen_port() == 0: time.sleep(0.05)
        print('READY %d' % s.listen_port(), flush=True)
        while True: time.sleep(1)
        """;

    private const string DownloaderScript = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip = sys.argv[1], sys.argv[2], sys.argv[3]
        s = lt.session({'listen_interfaces': '%s:0' % ip, 'outgoing_interfaces': ip, 'enable_upnp': False,
            'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False, 'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'allow_multiple_connections_per_ip': True,
            'max_failcount': 1000})
        p = lt.add_torrent_params(); p.ti = lt.torrent_info(torrent); p.save_path = save_path
        h = s.add_torrent(p)
        for peer in sys.argv[4:]:
            host, port = peer.rsplit(':', 1)
            h.connect_peer((host, int(port)))
        while not h.status().is_seeding: time.sleep(0.02)
        """;

    public static async Task<int> RunAsync(string mode, string[] args)
    {
        var settings = Settings.Parse(args);
        var root = Path.Combine(settings.Directory, $"tps-bench-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(root);
        try
        {
            var content = Content.Create(root, settings);
            Console.WriteLine($"{mode}: {settings.SizeMiB} MiB in {settings.Files} file(s), {settings.PieceKiB} KiB pieces, {settings.Runs} runs, in {root}");
            return mode == "seed" ? await SeedAsync(root, content, settings) : await DownloadAsync(root, content, settings);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<int> DownloadAsync(string root, Content content, Settings settings)
    {
        var seeders = new List<Seeder>();
        try
        {
            for (var i = 0; i < settings.Seeders; i++)
            {
                seeders.Add(await Seeder.StartLibtorrentAsync(root, content, $"127.0.9.{10 + i}"));
            }

            var peers = seeders.Select(s => s.EndPoint).ToArray();
            var clients = new Dictionary<string, Func<string, string[]>>
            {
                ["tps"] = output => [Tps, "download", "-o", content.IsMultiFile ? output : Path.Combine(output, content.Name), .. peers.SelectMany(p => new[] { "--peer", p }), content.TorrentPath],
                ["libtorrent"] = output => [Python, Script(root, "download.py", DownloaderScript), content.TorrentPath, output, "127.0.9.200", .. peers],

                // The module inside a real pwsh: the engine in-process, where the runtime's settings are pwsh's.
                ["pwsh"] = output => [Pwsh, "-NoProfile", "-NonInteractive", "-Command",
                    $"Import-Module '{Module}'; $null = New-Item -ItemType Directory '{output}'; Start-TorrentDownload -LiteralPath '{content.TorrentPath}' -Destination '{output}' -Peer {string.Join(',', peers.Select(p => $"'{p}'"))} -ProgressAction SilentlyContinue | Out-Null"],

                // pwsh importing the module and nothing else: what the pwsh row costs before any download.
                ["pwsh-baseline"] = output => [Pwsh, "-NoProfile", "-NonInteractive", "-Command", $"Import-Module '{Module}'; $null = New-Item -ItemType Directory '{output}'"],
            };
            var results = settings.Clients.ToDictionary(c => c, _ => new List<Measurement>());
            for (var run = 0; run < settings.Runs; run++)
            {
                foreach (var client in settings.Clients)
                {
                    var output = Path.Combine(root, $"out-{client}-{run}");
                    var measurement = await TimedProcess.RunAsync(clients[client](output));
                    if (client != "pwsh-baseline")
                    {
                        content.AssertDownloaded(content.IsMultiFile && client == "tps" ? output : Path.Combine(output, content.Name));
                    }

                    Directory.Delete(output, recursive: true);
                    results[client].Add(measurement);
                    Console.WriteLine($"  run {run + 1} {client}: {measurement}");
                }
            }

            Report(results, content.Length);
        }
        finally
        {
            foreach (var seeder in seeders)
            {
                seeder.Dispose();
            }
        }

        return 0;
    }

    private static async Task<int> SeedAsync(string root, Content content, Settings settings)
    {
        var downloader = Script(root, "download.py", DownloaderScript);
        using var libtorrent = await Seeder.StartLibtorrentAsync(root, content, "127.0.9.10");
        using var tps = await Seeder.StartTpsAsync(content, "127.0.9.11");
        var results = new Dictionary<string, List<Measurement>> { ["tps seed"] = [], ["libtorrent seed"] = [] };
        for (var run = 0; run < settings.Runs; run++)
        {
            foreach (var (name, seeder) in new[] { ("tps seed", tps), ("libtorrent seed", libtorrent) })
            {
                var output = Path.Combine(root, $"out-{run}");
                var cpuBefore = seeder.CpuSeconds();
                var measurement = await TimedProcess.RunAsync([Python, downloader, content.TorrentPath, output, $"127.0.9.{100 + run}", seeder.EndPoint]);
                content.AssertDownloaded(Path.Combine(output, content.Name));
                Directory.Delete(output, recursive: true);
                var seederMeasurement = measurement with { CpuSeconds = seeder.CpuSeconds() - cpuBefore, PeakRssKiB = seeder.PeakRssKiB() };
                results[name].Add(seederMeasurement);
                Console.WriteLine($"  run {run + 1} {name}: {seederMeasurement}");
            }
        }

        Console.WriteLine("(CPU and RSS are the seeder's; wall time is the downloader's)");
        Report(results, content.Length);
        return 0;
    }

    private static void Report(Dictionary<string, List<Measurement>> results, long length)
    {
        Console.WriteLine();
        Console.WriteLine("| client | wall s (min–max) | MB/s | CPU s | peak RSS MB |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (client, runs) in results)
        {
            var wall = Median(runs.Select(r => r.WallSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {client} | {wall:0.00} ({runs.Min(r => r.WallSeconds):0.00}–{runs.Max(r => r.WallSeconds):0.00}) | {length / 1e6 / wall:0} | {Median(runs.Select(r => r.CpuSeconds)):0.00} | {Median(runs.Select(r => r.PeakRssKiB / 1024.0)):0} |"));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The <c>tps</c> to time: <c>--tps</c> (e.g. the Native AOT build), else the one beside this program (the benchmark project references the CLI).</summary>
    private static string Tps => TpsOverride ?? Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tps.exe" : "tps");

    private static string? TpsOverride { get; set; }

    /// <summary>pwsh: on PATH, else the dotnet global tool's.</summary>
    private static string Pwsh
    {
        get
        {
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "pwsh");
            return File.Exists(tool) ? tool : "pwsh";
        }
    }

    /// <summary>The built module (out/TorrentPS under the repository, as build.ps1 lays it out).</summary>
    private static string Module
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TorrentPS.sln")))
                {
                    return Path.Combine(dir.FullName, "out", "TorrentPS", "TorrentPS.psd1");
                }
            }

            throw new InvalidOperationException("The repository (TorrentPS.sln) is not above this program.");
        }
    }

    private static string Script(string root, string name, string text)
    {
        var path = Path.Combine(root, name);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, text.Replace("\r\n", "\n"));
        }

        return path;
    }

    private static Settings SetTps(Settings settings, string path)
    {
        TpsOverride = Path.GetFullPath(path);
        return settings;
    }

    private sealed record Settings(int SizeMiB, int PieceKiB, int Files, int Seeders, int Runs, string Directory, string[] Clients)
    {
        public static Settings Parse(string[] args)
        {
            var settings = new Settings(1024, 1024, 1, 1, 3, System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), ["tps", "libtorrent"]);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = args[i + 1];
                settings = args[i] switch
                {
                    "--size-mib" => settings with { SizeMiB = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--piece-kib" => settings with { PieceKiB = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--files" => settings with { Files = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--seeders" => settings with { Seeders = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--runs" => settings with { Runs = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--dir" => settings with { Directory = value },
                    "--clients" => settings with { Clients = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    "--tps" => SetTps(settings, value),
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }

            return settings;
        }
    }

    /// <summary>The random data, its torrent (made by mktorrent), and a check that a download equals it.</summary>
    private sealed class Content
    {
        private readonly Dictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);

        private Content(string name, string dataFolder, string torrentPath, long length, bool isMultiFile)
        {
            Name = name;
            DataFolder = dataFolder;
            TorrentPath = torrentPath;
            Length = length;
            IsMultiFile = isMultiFile;
        }

        public string Name { get; }

        /// <summary>The folder holding the file or the top folder (a seeder's save path).</summary>
        public string DataFolder { get; }

        public string TorrentPath { get; }

        public long Length { get; }

        public bool IsMultiFile { get; }

        public static Content Create(string root, Settings settings)
        {
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            var total = (long)settings.SizeMiB * 1024 * 1024;
            var name = settings.Files == 1 ? "big.bin" : "many";
            var target = Path.Combine(data, name);
            var content = new Content(name, data, Path.Combine(root, "bench.torrent"), total, settings.Files > 1);
            var buffer = new byte[4 * 1024 * 1024];
            for (var file = 0; file < settings.Files; file++)
            {
                // Sizes vary around the mean so files start and end inside pieces.
                var size = settings.Files == 1 ? total : file == settings.Files - 1 ? total - ((total / settings.Files) * (settings.Files - 1)) : total / settings.Files;
                var path = settings.Files == 1 ? target : Path.Combine(target, $"folder{file % 7}", $"file{file:000}.bin");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var stream = File.Create(path))
                {
                    for (var written = 0L; written < size; written += buffer.Length)
                    {
                        var chunk = (int)Math.Min(buffer.Length, size - written);
                        RandomNumberGenerator.Fill(buffer.AsSpan(0, chunk));
                        stream.Write(buffer, 0, chunk);
                        hash.AppendData(buffer, 0, chunk);
                    }
                }

                content._hashes[Path.GetRelativePath(target, path)] = hash.GetHashAndReset();
            }

            var pieceExponent = (int)Math.Log2(settings.PieceKiB * 1024);
            var mktorrent = Process.Start(new ProcessStartInfo("mktorrent", ["-l", pieceExponent.ToString(CultureInfo.InvariantCulture), "-a", "http://127.0.0.1:1/announce", "-o", content.TorrentPath, target]) { RedirectStandardOutput = true })!;
            mktorrent.StandardOutput.ReadToEnd();
            mktorrent.WaitForExit();
            if (mktorrent.ExitCode != 0)
            {
                throw new InvalidOperationException("mktorrent failed.");
            }

            return content;
        }

        /// <summary>Throws unless <paramref name="downloaded"/> (the file, or the top folder) holds exactly the data.</summary>
        public void AssertDownloaded(string downloaded)
        {
            foreach (var (relative, expected) in _hashes)
            {
                var path = IsMultiFile ? Path.Combine(downloaded, relative) : downloaded;
                using var stream = File.OpenRead(path);
                if (!SHA256.HashData(stream).AsSpan().SequenceEqual(expected))
                {
                    throw new InvalidOperationException($"{path} differs from the source.");
                }
            }
        }
    }

    /// <summary>A seeder process on its own loopback address.</summary>
    private sealed class Seeder : IDisposable
    {
        private readonly Process _process;

        private Seeder(Process process, string endPoint)
        {
            _process = process;
            EndPoint = endPoint;
        }

        public string EndPoint { get; }

        public static async Task<Seeder> StartLibtorrentAsync(string root, Content content, string address)
        {
            var process = Start(Python, [Script(root, "seed.py", SeederScript), content.TorrentPath, content.DataFolder, address, "0"]);
            var line = await ReadUntilAsync(process, l => l.StartsWith("READY ", StringComparison.Ordinal));
            return new Seeder(process, $"{address}:{line[6..]}");
        }

        public static async Task<Seeder> StartTpsAsync(Content content, string address)
        {
            var port = 20000 + Random.Shared.Next(20000);
            var process = Start(Tps, ["seed", "--port", port.ToString(CultureInfo.InvariantCulture), content.TorrentPath, content.DataFolder]);
            await ReadUntilAsync(process, l => l.Contains("pieces already here", StringComparison.Ordinal), stderr: true);
            return new Seeder(process, $"127.0.0.1:{port}");
        }

        public double CpuSeconds()
        {
            _process.Refresh();
            return _process.TotalProcessorTime.TotalSeconds;
        }

        /// <summary>The process's peak resident set (VmHWM) in KiB.</summary>
        public long PeakRssKiB()
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }

        public void Dispose()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        private static Process Start(string program, string[] arguments)
        {
            var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["TPS_LOG"] = "info";
            return Process.Start(info)!;
        }

        private static async Task<string> ReadUntilAsync(Process process, Func<string, bool> ready, bool stderr = false)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var reader = stderr ? process.StandardError : process.StandardOutput;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ready(line))
                {
                    _ = Task.Run(async () =>
                    {
                        while (await reader.ReadLineAsync() is not null)
                        {
                        }
                    });
                    return line;
                }
            }

            throw new InvalidOperationException($"{process.StartInfo.FileName} ended before it was ready.");
        }
    }

    private sealed record Measurement(double WallSeconds, double CpuSeconds, long PeakRssKiB)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{WallSeconds:0.00} s, {CpuSeconds:0.00} CPU s, {PeakRssKiB / 1024} MB peak RSS");
    }

    /// <summary>Runs a process under <c>/usr/bin/time</c>: wall time, CPU (user + system) and peak RSS of the whole process.</summary>
    private static class TimedProcess
    {
        public static async Task<Measurement> RunAsync(string[] command)
        {
            var info = new ProcessStartInfo("/usr/bin/time", ["-f", "TIMED %e %U %S %M", .. command]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await stdout;
            var line = stderr.Split('\n').LastOrDefault(l => l.StartsWith("TIMED ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"{command[0]} failed: {stderr}");
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}: {stderr}");
            }

            var parts = line.Split(' ');
            double Number(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
            return new Measurement(Number(1), Number(2) + Number(3), long.Parse(parts[4], CultureInfo.InvariantCulture));
        }
    }
}
