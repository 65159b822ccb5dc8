using System.Diagnostics;
using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// Runs a client under GNU <c>/usr/bin/time</c>, which reaps it with <c>wait4</c>: the rusage the kernel hands back
/// covers every thread of the process and every descendant it waited for, so CPU (user, system), peak RSS and both
/// kinds of context switch are exact for the client's whole process tree (the clients here start no other process).
/// </summary>
internal static class TimedProcess
{
    private static Process? _running;

    /// <summary>Ends the client being timed, if any (the benchmark was interrupted).</summary>
    public static void KillRunning()
    {
        try
        {
            Volatile.Read(ref _running)?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <param name="scratch">Where time writes its figures (the run's folder, removed even when the benchmark is interrupted).</param>
    public static async Task<RunMeasurement> RunAsync(string[] command, IReadOnlyDictionary<string, string> environment, string? logPath, Func<double> otherCpu, string scratch)
    {
        var figures = Path.Combine(scratch, $"time-{Guid.NewGuid():N}");
        var info = new ProcessStartInfo("/usr/bin/time", ["-o", figures, "-f", "%e %U %S %M %w %c", .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var otherBefore = otherCpu();
        using var process = Process.Start(info)!;
        Volatile.Write(ref _running, process);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Volatile.Write(ref _running, null);
        var otherAfter = otherCpu();
        var output = await stdout + await stderr;
        if (logPath is not null)
        {
            await File.WriteAllTextAsync(logPath, $"$ {string.Join(' ', command)}\n{output}");
        }

        try
        {
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}: {output}");
            }

            // The last line: time writes "Command exited with non-zero status" above it when the client failed.
            var parts = File.ReadAllLines(figures).Last().Split(' ');
            double Number(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
            long Count(int i) => long.Parse(parts[i], CultureInfo.InvariantCulture);
            return new RunMeasurement(Number(0), Number(1), Number(2), Count(3), Count(4), Count(5), null, otherAfter - otherBefore);
        }
        finally
        {
            File.Delete(figures);
        }
    }
}
