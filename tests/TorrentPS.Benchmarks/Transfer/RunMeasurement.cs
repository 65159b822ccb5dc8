using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// One run of one client: wall time, the measured process's CPU (user, system), peak RSS and context switches
/// (voluntary and involuntary when the kernel's accounting of a reaped process gives them; only their sum when they
/// come from perf for a process that keeps running), and the other side's CPU (the seeders' while a client downloads,
/// the downloader's while a seeder serves).
/// </summary>
internal sealed record RunMeasurement(
    double WallSeconds,
    double UserSeconds,
    double SystemSeconds,
    long PeakRssKiB,
    long? VoluntarySwitches,
    long? InvoluntarySwitches,
    long? AllSwitches,
    double OtherCpuSeconds)
{
    public double CpuSeconds => UserSeconds + SystemSeconds;

    /// <summary>Every context switch: the sum of the two kinds, or perf's count.</summary>
    public long? Switches => AllSwitches ?? VoluntarySwitches + InvoluntarySwitches;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{WallSeconds:0.00} s, CPU {CpuSeconds:0.00} s ({UserSeconds:0.00} user / {SystemSeconds:0.00} sys), {PeakRssKiB / 1024} MB, switches {(VoluntarySwitches is null ? $"{Switches}" : $"{VoluntarySwitches} vol / {InvoluntarySwitches} invol")}, other side {OtherCpuSeconds:0.00} CPU s");
}
