using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// The options of <c>download</c>, <c>seed</c> and <c>serve</c> (WholeTransferBenchmark's summary lists them). Every
/// client path can be overridden and any number of labelled builds added, so that one run compares builds side by side.
/// </summary>
internal sealed record TransferSettings
{
    public int SizeMiB { get; init; } = 1024;

    public int PieceKiB { get; init; } = 1024;

    public int Files { get; init; } = 1;

    /// <summary>A row set per count: the same clients against that many libtorrent seeders.</summary>
    public int[] Seeders { get; init; } = [1, 8];

    public int Runs { get; init; } = 5;

    /// <summary>
    /// Downloads before a row set's runs that are not counted: the first download from fresh seeders is the slowest for
    /// whichever client goes first (the seeders take in their data), which the order of the clients would pin on one.
    /// </summary>
    public int WarmUps { get; init; } = 1;

    public string Directory { get; init; } = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Client names, each optionally <c>@build</c>; null until given (each mode has its own default).</summary>
    public string[]? Clients { get; init; }

    /// <summary><c>--tps</c>, <c>--tps-aot</c>, <c>--module</c>: the unlabelled clients' programs.</summary>
    public string? Tps { get; init; }

    public string? TpsAot { get; init; }

    public string? Module { get; init; }

    /// <summary><c>--probe</c>, <c>--probe-aot</c>: the probe's programs (JIT, Native AOT).</summary>
    public string? Probe { get; init; }

    public string? ProbeAot { get; init; }

    /// <summary><c>--build name=folder</c>: a folder laid out by publish-build.sh (tps/, tps-aot/, TorrentPS/).</summary>
    public Dictionary<string, string> Builds { get; init; } = new(StringComparer.Ordinal);

    /// <summary><c>--env NAME=VALUE</c>: set for every client process (e.g. <c>TPS_LOG=debug</c> with <c>--logs</c>).</summary>
    public Dictionary<string, string> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary><c>--logs folder</c>: each run's stdout and stderr kept there; otherwise they are read and dropped.</summary>
    public string? Logs { get; init; }

    /// <summary><c>--csv file</c>: one line per run with every figure, for a look at single runs.</summary>
    public string? Csv { get; init; }

    public static TransferSettings Parse(string[] args)
    {
        var settings = new TransferSettings();
        for (var i = 0; i < args.Length; i++)
        {
            var option = args[i];
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{option} needs a value.");
            }

            var value = args[++i];
            settings = option switch
            {
                "--size-mib" => settings with { SizeMiB = Int(value) },
                "--piece-kib" => settings with { PieceKiB = Int(value) },
                "--files" => settings with { Files = Int(value) },
                "--seeders" => settings with { Seeders = [.. List(value).Select(Int)] },
                "--runs" => settings with { Runs = Int(value) },
                "--warm-ups" => settings with { WarmUps = Int(value) },
                "--dir" => settings with { Directory = value },
                "--clients" => settings with { Clients = List(value) },
                "--tps" => settings with { Tps = Path.GetFullPath(value) },
                "--tps-aot" => settings with { TpsAot = Path.GetFullPath(value) },
                "--module" => settings with { Module = Path.GetFullPath(value) },
                "--probe" => settings with { Probe = Path.GetFullPath(value) },
                "--probe-aot" => settings with { ProbeAot = Path.GetFullPath(value) },
                "--build" => Add(settings, settings.Builds, value, fullPath: true),
                "--env" => Add(settings, settings.Environment, value, fullPath: false),
                "--logs" => settings with { Logs = Path.GetFullPath(value) },
                "--csv" => settings with { Csv = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"Unknown option {option}."),
            };
        }

        return settings;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TransferSettings Add(TransferSettings settings, Dictionary<string, string> map, string pair, bool fullPath)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"Expected name=value, got {pair}.");
        }

        map[pair[..equals]] = fullPath ? Path.GetFullPath(pair[(equals + 1)..]) : pair[(equals + 1)..];
        return settings;
    }
}
