using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// <c>perf stat -p</c> attached to a long-running process (a seeder) for one run: context switches and CPU migrations
/// of all its threads, those started after attaching included (the counters are inherited and summed back when a
/// thread exits), which <c>/proc/&lt;pid&gt;/status</c> cannot give (it counts the main thread only). Null figures when
/// perf is missing or not allowed.
/// </summary>
internal sealed class PerfStatAttach
{
    private const int SigInt = 2;

    private readonly Process? _perf;
    private readonly string _output;

    private PerfStatAttach(Process? perf, string output)
    {
        _perf = perf;
        _output = output;
    }

    public static PerfStatAttach Start(int pid, string folder)
    {
        var output = Path.Combine(folder, $"perf-{pid}-{Guid.NewGuid():N}.csv");
        if (!File.Exists("/usr/bin/perf"))
        {
            return new PerfStatAttach(null, output);
        }

        var info = new ProcessStartInfo("/usr/bin/perf", ["stat", "-x", ",", "-e", "context-switches,cpu-migrations", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return new PerfStatAttach(Process.Start(info), output);
    }

    /// <summary>Stops counting (SIGINT makes perf print its totals) and returns the context switches, or null.</summary>
    public async Task<long?> StopAsync()
    {
        if (_perf is null)
        {
            return null;
        }

        _ = Kill(_perf.Id, SigInt);
        await _perf.WaitForExitAsync();
        _perf.Dispose();
        if (!File.Exists(_output))
        {
            return null;
        }

        long? switches = null;
        foreach (var line in File.ReadLines(_output))
        {
            var fields = line.Split(',');
            if (fields.Length > 2 && fields[2] == "context-switches" && long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                switches = value;
            }
        }

        File.Delete(_output);
        return switches;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
