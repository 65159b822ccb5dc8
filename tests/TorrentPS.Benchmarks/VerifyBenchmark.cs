using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Benchmarks;

/// <summary>
/// The issue's target for a whole-torrent check: 1 GiB verified in under 1.5× what <c>openssl dgst -sha1</c> takes on the
/// same file in the same run. Writes a file of random data (1 MiB pieces), then times, alternately and after one warm-up
/// each (so the file is in the page cache for both): <c>openssl dgst -sha1</c> as a process, <see cref="TorrentVerifier"/>
/// in this process, and <c>tps verify</c> as a whole process (start-up included) when tps.dll is beside this program.
/// Prints each one's median, minimum and maximum wall time and the ratios of the medians to openssl's.
/// <code>
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- verify [--size-mib 1024] [--runs 5] [--dir /tmp]
/// </code>
/// </summary>
internal static class VerifyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizeMiB = 1024;
        var runs = 5;
        var parent = Path.GetTempPath();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--size-mib" when i + 1 < args.Length:
                    sizeMiB = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--runs" when i + 1 < args.Length:
                    runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--dir" when i + 1 < args.Length:
                    parent = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: verify [--size-mib N] [--runs N] [--dir FOLDER]");
                    return 2;
            }
        }

        var folder = Path.Combine(parent, $"tps-verify-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine($"Writing {sizeMiB} MiB of random data in {folder} ...");
            var (torrent, torrentPath, dataPath) = MakeTorrent(folder, sizeMiB);
            var tps = Path.Combine(AppContext.BaseDirectory, "tps.dll");
            var timings = new Dictionary<string, List<double>>
            {
                ["openssl dgst -sha1"] = [],
                ["TorrentVerifier (in process)"] = [],
            };
            if (File.Exists(tps))
            {
                timings["tps verify (whole process)"] = [];
            }

            for (var run = 0; run <= runs; run++)
            {
                var openssl = Time(() => RunProcess("openssl", ["dgst", "-sha1", dataPath]));
                var verifier = await TimeAsync(async () =>
                {
                    var result = await new TorrentVerifier().VerifyAsync(torrent, ContentLocation.InFolder(torrent, folder), null, CancellationToken.None);
                    if (!result.IsComplete)
                    {
                        throw new InvalidOperationException("The benchmark data did not verify.");
                    }
                });
                double? cli = File.Exists(tps) ? Time(() => RunProcess("dotnet", [tps, "verify", torrentPath, folder])) : null;
                if (run == 0)
                {
                    continue; // warm-up: the page cache, the JIT, the first process starts
                }

                timings["openssl dgst -sha1"].Add(openssl);
                timings["TorrentVerifier (in process)"].Add(verifier);
                if (cli is { } seconds)
                {
                    timings["tps verify (whole process)"].Add(seconds);
                }
            }

            var baseline = Median(timings["openssl dgst -sha1"]);
            Console.WriteLine();
            Console.WriteLine($"{sizeMiB} MiB, {torrent.PieceCount} pieces of {torrent.PieceLength / 1024} KiB, {runs} runs each after a warm-up, {Environment.ProcessorCount} processors");
            Console.WriteLine($"{"",-30} {"median s",9} {"min s",7} {"max s",7} {"MiB/s",7} {"× openssl",9}");
            foreach (var (name, values) in timings)
            {
                var median = Median(values);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name,-30} {median,9:0.000} {values.Min(),7:0.000} {values.Max(),7:0.000} {sizeMiB / median,7:0} {median / baseline,9:0.00}"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (TorrentInfo Torrent, string TorrentPath, string DataPath) MakeTorrent(string folder, int sizeMiB)
    {
        const int pieceLength = 1024 * 1024;
        var dataPath = Path.Combine(folder, "bench.bin");
        var hashes = new byte[sizeMiB * 20];
        var piece = new byte[pieceLength];
        using (var file = new FileStream(dataPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            for (var i = 0; i < sizeMiB; i++)
            {
                RandomNumberGenerator.Fill(piece);
                SHA1.HashData(piece, hashes.AsSpan(i * 20, 20));
                file.Write(piece);
            }
        }

        var info = new BencodeDictionary(
        [
            new KeyValuePair<string, BencodeValue>("length", new BencodeInteger((long)sizeMiB * pieceLength)),
            new("name", new BencodeString("bench.bin")),
            new("piece length", new BencodeInteger(pieceLength)),
            new("pieces", new BencodeString(hashes)),
        ]);
        var bytes = BencodeEncoder.Encode(new BencodeDictionary([new KeyValuePair<string, BencodeValue>("info", info)]));
        var torrentPath = Path.Combine(folder, "bench.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        return (TorrentInfo.Parse(bytes, torrentPath), torrentPath, dataPath);
    }

    private static void RunProcess(string fileName, string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited with {process.ExitCode}");
        }
    }

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
