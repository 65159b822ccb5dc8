using System.Diagnostics;
using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// How a sequential download's file grows: while the client runs, the first hole of the downloaded file is asked of the
/// kernel every <see cref="Interval"/> (<c>lseek(SEEK_HOLE)</c>: one system call, so the sampler takes next to no CPU
/// from the client it watches). The clients write only whole verified pieces into a sparse file, so the data before
/// the first hole is the complete prefix (the download is checked byte for byte when it ends). Each sample is the time
/// since the client started and that prefix's length. After the run, <see cref="Report"/> says when the first N MiB
/// were complete against when the run's rate would have them.
/// </summary>
internal sealed class PrefixSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly long _length;
    private readonly string _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(double Seconds, long Bytes)> _samples = [];
    private readonly Task _sampling;

    public PrefixSampler(string source, string target)
    {
        _length = new FileInfo(source).Length;
        _target = target;
        _sampling = Task.Run(SampleAsync);
    }

    public IReadOnlyList<(double Seconds, long Bytes)> Samples => _samples;

    /// <summary>Stops sampling (the client ended).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        try
        {
            await _sampling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// When the first N MiB were complete, for each N of <paramref name="marksMiB"/>, against when the run's average
    /// rate would have them: counted from the first sample with data (process start, the check and the first piece's
    /// round trip come before), at the rate of the rest of the run (<paramref name="length"/> bytes until
    /// <paramref name="wallSeconds"/>).
    /// </summary>
    public string Report(long length, double wallSeconds, IEnumerable<int> marksMiB)
    {
        var start = _samples.FirstOrDefault(s => s.Bytes > 0);
        if (start == default)
        {
            return "prefix: no data seen";
        }

        var rate = (length - start.Bytes) / Math.Max(0.001, wallSeconds - start.Seconds);
        var parts = new List<string>();
        foreach (var mark in marksMiB)
        {
            var bytes = Math.Min(length, mark * 1024L * 1024);
            var reached = _samples.FirstOrDefault(s => s.Bytes >= bytes);
            parts.Add(reached == default
                ? $"{mark} MiB: not seen"
                : string.Create(CultureInfo.InvariantCulture, $"{mark} MiB at {reached.Seconds:0.00} s (at the rate {start.Seconds + (Math.Max(0, bytes - start.Bytes) / rate):0.00} s)"));
        }

        var gap = 0.0;
        for (var i = 1; i < _samples.Count; i++)
        {
            gap = Math.Max(gap, _samples[i].Seconds - _samples[i - 1].Seconds);
        }

        // The sampler shares the machine: a long gap between samples (it was not scheduled) makes a mark late.
        return string.Create(CultureInfo.InvariantCulture, $"prefix: first data at {start.Seconds:0.00} s, then {rate / 1e6:0} MB/s; {string.Join("; ", parts)}; {_samples.Count} samples, longest gap {gap:0.00} s");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            _samples.Add((_clock.Elapsed.TotalSeconds, Prefix()));
            await Task.Delay(Interval, _stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The bytes before the target's first hole (its length when it has none); 0 before it exists.</summary>
    private long Prefix()
    {
        try
        {
            using var target = File.OpenHandle(_target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var hole = Lseek((int)target.DangerousGetHandle(), 0, SeekHole);
            return Math.Min(Math.Max(0, hole), _length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private const int SeekHole = 4;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long Lseek(int fd, long offset, int whence);
}
