using System.Diagnostics;
using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// A running process's CPU from <c>/proc/&lt;pid&gt;/stat</c> (user and system time of every thread, exited ones
/// included, so the difference of two readings is exact to a clock tick) and its peak resident set (VmHWM).
/// </summary>
internal readonly record struct ProcessCpu(double UserSeconds, double SystemSeconds)
{
    private static readonly double TicksPerSecond = ReadTicksPerSecond();

    public double TotalSeconds => UserSeconds + SystemSeconds;

    public static ProcessCpu operator -(ProcessCpu after, ProcessCpu before) =>
        new(after.UserSeconds - before.UserSeconds, after.SystemSeconds - before.SystemSeconds);

    public static ProcessCpu operator +(ProcessCpu a, ProcessCpu b) =>
        new(a.UserSeconds + b.UserSeconds, a.SystemSeconds + b.SystemSeconds);

    public static ProcessCpu Read(int pid)
    {
        // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return new(double.Parse(fields[11], CultureInfo.InvariantCulture) / TicksPerSecond, double.Parse(fields[12], CultureInfo.InvariantCulture) / TicksPerSecond);
    }

    /// <summary>The process's peak resident set (VmHWM) in KiB.</summary>
    public static long PeakRssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static double ReadTicksPerSecond()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd();
        getconf.WaitForExit();
        return double.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
}
