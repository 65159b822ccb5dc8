using System.Diagnostics;
using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// How a sequential download's file grows: while the client runs, the downloaded file is compared with the source every
/// <see cref="Interval"/>, from where the last sample's good prefix ended, in 1 MiB reads (a hole reads as zeros and
/// ends the prefix). Each sample is the time since the client started and the bytes of the file's beginning that are
/// complete and correct. After the run, <see cref="Report"/> says when the first N MiB were complete against N ÷ the
/// run's average rate.
/// </summary>
internal sealed class PrefixSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly string _source;
    private readonly string _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(double Seconds, long Bytes)> _samples = [];
    private readonly Task _sampling;

    public PrefixSampler(string source, string target)
    {
        _source = source;
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
        var good = 0L;
        var expected = new byte[1024 * 1024];
        var actual = new byte[1024 * 1024];
        using var source = new FileStream(_source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        while (!_stop.IsCancellationRequested)
        {
            if (File.Exists(_target))
            {
                try
                {
                    using var target = new FileStream(_target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    while (good < source.Length)
                    {
                        var length = (int)Math.Min(expected.Length, source.Length - good);
                        if (RandomAccess.Read(source.SafeFileHandle, expected.AsSpan(0, length), good) != length
                            || RandomAccess.Read(target.SafeFileHandle, actual.AsSpan(0, length), good) != length)
                        {
                            break;
                        }

                        var same = expected.AsSpan(0, length).CommonPrefixLength(actual.AsSpan(0, length));
                        good += same;
                        if (same < length)
                        {
                            break;
                        }
                    }
                }
                catch (IOException)
                {
                }
            }

            _samples.Add((_clock.Elapsed.TotalSeconds, good));
            await Task.Delay(Interval, _stop.Token).ConfigureAwait(false);
        }
    }
}
