namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// A client as named in <c>--clients</c>: its kind and, after an <c>@</c>, the <c>--build</c> it comes from
/// (<c>tps@before</c>); without one, the unlabelled programs (<c>--tps</c>, <c>--tps-aot</c>, <c>--module</c> or their defaults).
/// </summary>
internal sealed record ClientName(string Label, string Kind, string? Build)
{
    /// <summary>The download clients: tps (JIT), tps-aot (Native AOT), pwsh (Import-Module + Start-TorrentDownload),
    /// pwsh-baseline (pwsh + Import-Module + copying the data: what pwsh costs besides the download, as issue 20 measured it),
    /// pwsh-import (pwsh + Import-Module only), pwsh-idle (pwsh + Import-Module, then 2 s of Start-Sleep: pwsh's own cost
    /// over a download's lifetime, since past its first 100 ms the runtime recompiles pwsh's hot start-up code in the
    /// background whatever the script does), libtorrent (its own downloader), probe and probe-aot (tests/TorrentPS.Probe,
    /// JIT and Native AOT: the minimal downloader of shared/PERFORMANCE.md, issue 20's floor; one seeder only).</summary>
    public static readonly string[] DownloadKinds = ["tps", "tps-aot", "tps-seq", "tps-aot-seq", "pwsh", "pwsh-baseline", "pwsh-import", "pwsh-idle", "libtorrent", "probe", "probe-aot"];

    /// <summary><c>tps-seq</c> and <c>tps-aot-seq</c>: the same programs as <c>tps</c> and <c>tps-aot</c>, downloading with <c>--sequential</c>.</summary>
    public bool Sequential => Kind.EndsWith("-seq", StringComparison.Ordinal);

    /// <summary>False for pwsh-import and pwsh-idle, the baselines that start pwsh and download nothing.</summary>
    public bool Downloads => Kind is not ("pwsh-import" or "pwsh-idle");

    /// <summary>probe or probe-aot: the floor, which talks to one peer only.</summary>
    public bool IsProbe => Kind is "probe" or "probe-aot";

    /// <summary>The kind without <c>-seq</c>: the program it runs.</summary>
    public string Program => Sequential ? Kind[..^"-seq".Length] : Kind;

    /// <summary>The seeders that <c>seed</c> compares: <c>tps seed</c> (JIT or Native AOT) and libtorrent's seeder.</summary>
    public static readonly string[] SeedKinds = ["tps", "tps-aot", "libtorrent"];

    public static ClientName Parse(string label, string[] kinds)
    {
        var at = label.IndexOf('@', StringComparison.Ordinal);
        var kind = at < 0 ? label : label[..at];
        var build = at < 0 ? null : label[(at + 1)..];
        if (!kinds.Contains(kind, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Unknown client {label}: expected one of {string.Join(", ", kinds)}, optionally @build.");
        }

        if (build is not null && kind == "libtorrent")
        {
            throw new ArgumentException($"{label}: libtorrent comes from the system, it has no builds.");
        }

        if (build is not null && kind is "probe" or "probe-aot")
        {
            throw new ArgumentException($"{label}: the probe is the floor, the same in every build; give --probe or --probe-aot instead.");
        }

        return new ClientName(label, kind, build);
    }
}
