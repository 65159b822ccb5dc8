using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Benchmarks;

/// <summary>
/// The issue's target for making a torrent: hashing as fast as <c>Test-Torrent</c>'s verifier. Writes a file of random
/// data, then times, alternately and after one warm-up each (so the file is in the page cache for all): the
/// <see cref="TorrentVerifier"/> checking a torrent of it, <see cref="TorrentCreator"/> making a v1 torrent of it, and
/// making a hybrid one (SHA-1 and SHA-256 over every byte), all with the same piece length. Prints each one's median,
/// minimum and maximum wall time, MiB/s, and the ratio of its median to the verifier's.
/// <code>
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- create [--size-mib 1024] [--runs 5] [--piece-kib 1024] [--dir /tmp]
/// </code>
/// </summary>
internal static class CreateBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizeMiB = 1024;
        var runs = 5;
        var pieceKiB = 1024;
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
                case "--piece-kib" when i + 1 < args.Length:
                    pieceKiB = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--dir" when i + 1 < args.Length:
                    parent = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: create [--size-mib N] [--runs N] [--piece-kib N] [--dir FOLDER]");
                    return 2;
            }
        }

        var folder = Path.Combine(parent, $"tps-create-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine($"Writing {sizeMiB} MiB of random data in {folder} ...");
            var dataPath = Path.Combine(folder, "bench.bin");
            WriteRandom(dataPath, sizeMiB);
            var creator = new TorrentCreator();
            var v1 = new TorrentCreationOptions { PieceLength = pieceKiB * 1024L, NoCreationDate = true };
            var hybrid = v1 with { Version = TorrentVersion.Hybrid };
            var torrent = (await creator.CreateAsync(dataPath, v1, null, CancellationToken.None)).Torrent;
            var timings = new Dictionary<string, List<double>>
            {
                ["TorrentVerifier (Test-Torrent)"] = [],
                ["TorrentCreator, v1"] = [],
                ["TorrentCreator, hybrid"] = [],
            };

            for (var run = 0; run <= runs; run++)
            {
                var verify = await TimeAsync(async () =>
                {
                    var result = await new TorrentVerifier().VerifyAsync(torrent, ContentLocation.InFolder(torrent, folder), null, CancellationToken.None);
                    if (!result.IsComplete)
                    {
                        throw new InvalidOperationException("The benchmark data did not verify against the torrent the creator made of it.");
                    }
                });
                var createV1 = await TimeAsync(() => creator.CreateAsync(dataPath, v1, null, CancellationToken.None));
                var createHybrid = await TimeAsync(() => creator.CreateAsync(dataPath, hybrid, null, CancellationToken.None));
                if (run == 0)
                {
                    continue; // warm-up: the page cache, the JIT
                }

                timings["TorrentVerifier (Test-Torrent)"].Add(verify);
                timings["TorrentCreator, v1"].Add(createV1);
                timings["TorrentCreator, hybrid"].Add(createHybrid);
            }

            var baseline = Median(timings["TorrentVerifier (Test-Torrent)"]);
            Console.WriteLine();
            Console.WriteLine($"{sizeMiB} MiB, {torrent.PieceCount} pieces of {pieceKiB} KiB, {runs} runs each after a warm-up, {Environment.ProcessorCount} processors");
            Console.WriteLine($"{"",-31} {"median s",9} {"min s",7} {"max s",7} {"MiB/s",7} {"× verifier",10}");
            foreach (var (name, values) in timings)
            {
                var median = Median(values);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name,-31} {median,9:0.000} {values.Min(),7:0.000} {values.Max(),7:0.000} {sizeMiB / median,7:0} {median / baseline,10:0.00}"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteRandom(string path, int sizeMiB)
    {
        var block = new byte[1024 * 1024];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        for (var i = 0; i < sizeMiB; i++)
        {
            RandomNumberGenerator.Fill(block);
            file.Write(block);
        }
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
