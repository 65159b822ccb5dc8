using System.Globalization;
using System.Text;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// The table of a row set (one seeder count, or the seeders compared): per client the medians over the runs with the
/// wall time's minimum and maximum, and ratios against libtorrent, against <c>tps</c> and (when a probe ran) against the
/// probe taken run by run (each run against the same run's reference, then the median), which holds when the machine's
/// speed drifts during the run.
/// </summary>
internal static class ResultTable
{
    private const double GiB = 1024.0 * 1024 * 1024;

    /// <param name="otherSide">What <see cref="RunMeasurement.OtherCpuSeconds"/> is, for the column's title.</param>
    /// <param name="floor">The probe client the "× probe" columns compare with (probe-aot or probe); none without.</param>
    public static string Format(IReadOnlyList<string> clients, IReadOnlyDictionary<string, List<RunMeasurement>> results, long length, string otherSide, string? floor = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| client | wall s (min–max) | max/median | MB/s | CPU s (user / sys) | CPU s per GiB | context switches vol / invol | peak RSS MB | {otherSide} CPU s | wall × libtorrent | CPU × libtorrent | wall × tps | CPU × tps |{(floor is null ? "" : " wall × probe | CPU × probe |")}");
        text.AppendLine($"|---|---|---|---|---|---|---|---|---|---|---|---|---|{(floor is null ? "" : "---|---|")}");
        foreach (var client in clients)
        {
            var runs = results[client];
            var wall = Median(runs.Select(r => r.WallSeconds));
            var cpu = Median(runs.Select(r => r.CpuSeconds));
            var switches = runs[0].VoluntarySwitches is null
                ? $"{Median(runs.Select(r => (double)(r.Switches ?? 0))):0} (all)"
                : $"{Median(runs.Select(r => (double)r.VoluntarySwitches!.Value)):0} / {Median(runs.Select(r => (double)r.InvoluntarySwitches!.Value)):0}";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {client} | {wall:0.00} ({runs.Min(r => r.WallSeconds):0.00}–{runs.Max(r => r.WallSeconds):0.00}) | {runs.Max(r => r.WallSeconds) / wall:0.00} | {length / 1e6 / wall:0} | {cpu:0.00} ({Median(runs.Select(r => r.UserSeconds)):0.00} / {Median(runs.Select(r => r.SystemSeconds)):0.00}) | {cpu / (length / GiB):0.00} | {switches} | {Median(runs.Select(r => r.PeakRssKiB / 1024.0)):0} | {Median(runs.Select(r => r.OtherCpuSeconds)):0.00} | {Ratio(results, client, "libtorrent", r => r.WallSeconds)} | {Ratio(results, client, "libtorrent", r => r.CpuSeconds)} | {Ratio(results, client, "tps", r => r.WallSeconds)} | {Ratio(results, client, "tps", r => r.CpuSeconds)} |{(floor is null ? "" : $" {Ratio(results, client, floor, r => r.WallSeconds)} | {Ratio(results, client, floor, r => r.CpuSeconds)} |")}"));
        }

        return text.ToString();
    }

    /// <summary>
    /// For each pwsh row and each baseline of the same build in the run (pwsh-import, pwsh-idle, pwsh-baseline): what the
    /// download added to pwsh, beside tps of the same build (issue 20: Start-TorrentDownload should cost no more than tps
    /// plus pwsh's own start and import).
    /// </summary>
    public static string PwshShare(IReadOnlyList<string> clients, IReadOnlyDictionary<string, List<RunMeasurement>> results)
    {
        var text = new StringBuilder();
        foreach (var pwsh in clients.Where(c => c.Split('@')[0] == "pwsh"))
        {
            var build = pwsh.Contains('@', StringComparison.Ordinal) ? pwsh[pwsh.IndexOf('@', StringComparison.Ordinal)..] : "";
            foreach (var baseline in new[] { $"pwsh-import{build}", $"pwsh-idle{build}", $"pwsh-baseline{build}" }.Where(results.ContainsKey))
            {
                text.Append(PwshShare(pwsh, baseline, build, results));
            }
        }

        return text.ToString();
    }

    private static string PwshShare(string pwsh, string baseline, string build, IReadOnlyDictionary<string, List<RunMeasurement>> results)
    {
        var cpu = Median(results[pwsh].Select(r => r.CpuSeconds)) - Median(results[baseline].Select(r => r.CpuSeconds));
        var rss = Median(results[pwsh].Select(r => r.PeakRssKiB / 1024.0)) - Median(results[baseline].Select(r => r.PeakRssKiB / 1024.0));
        var tps = $"tps{build}";
        var beside = results.TryGetValue(tps, out var tpsRuns)
            ? string.Create(CultureInfo.InvariantCulture, $"; {tps} itself: {Median(tpsRuns.Select(r => r.CpuSeconds)):0.00} CPU s, {Median(tpsRuns.Select(r => r.PeakRssKiB / 1024.0)):0} MB")
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"{pwsh} − {baseline}: {cpu:+0.00;-0.00} CPU s, {rss:+0;-0} MB peak RSS{beside}") + Environment.NewLine;
    }

    /// <summary>One CSV line per run (with a header when the file is new): every figure, for a look at single runs.</summary>
    public static void AppendCsv(string path, string rowSet, string client, int run, RunMeasurement m)
    {
        var header = File.Exists(path) ? "" : "row_set,client,run,wall_s,user_s,sys_s,peak_rss_kib,voluntary_cs,involuntary_cs,all_cs,other_cpu_s\n";
        File.AppendAllText(path, header + string.Create(CultureInfo.InvariantCulture,
            $"{rowSet},{client},{run},{m.WallSeconds:0.00},{m.UserSeconds:0.00},{m.SystemSeconds:0.00},{m.PeakRssKiB},{m.VoluntarySwitches},{m.InvoluntarySwitches},{m.Switches},{m.OtherCpuSeconds:0.00}\n"));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Ratio(IReadOnlyDictionary<string, List<RunMeasurement>> results, string client, string reference, Func<RunMeasurement, double> figure)
    {
        if (!results.TryGetValue(reference, out var against))
        {
            return "–";
        }

        var runs = results[client];
        var count = Math.Min(runs.Count, against.Count);
        return string.Create(CultureInfo.InvariantCulture, $"{Median(Enumerable.Range(0, count).Select(i => figure(runs[i]) / figure(against[i]))):0.00}");
    }
}
