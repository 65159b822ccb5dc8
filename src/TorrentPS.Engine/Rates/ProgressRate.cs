namespace TorrentPS.Engine.Rates;

/// <summary>
/// The rate and the time remaining of work reported by several threads at once (a check's or a torrent creation's
/// hashing workers): a <see cref="RateMeter"/> sampled at most every 100 ms under a lock, so reports stay cheap.
/// Thread-safe.
/// </summary>
internal sealed class ProgressRate
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly RateMeter _meter;
    private readonly long _spacing;
    private long _lastSampleAt = long.MinValue;
    private double _rate;

    public ProgressRate(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _meter = new RateMeter(5 * _time.TimestampFrequency);
        _spacing = _time.TimestampFrequency / 10;
    }

    /// <summary>Records that <paramref name="done"/> of <paramref name="total"/> are done; returns the rate per second and the time left at it (null while unknown).</summary>
    public (double PerSecond, TimeSpan? Remaining) Update(long done, long total)
    {
        var now = _time.GetTimestamp();
        double rate;
        lock (_lock)
        {
            if (_lastSampleAt == long.MinValue || now - _lastSampleAt >= _spacing)
            {
                _meter.Sample(done, now, _time.TimestampFrequency);
                _lastSampleAt = now;
                _rate = _meter.BytesPerSecond;
            }

            rate = _rate;
        }

        var left = total - done;
        TimeSpan? remaining = left <= 0 ? TimeSpan.Zero : rate > 0 ? TimeSpan.FromSeconds(Math.Min(left / rate, TimeSpan.FromDays(365).TotalSeconds)) : null;
        return (rate, remaining);
    }
}
