namespace TorrentPS.Bridge.Progress;

/// <summary>
/// Lets at most one update through per <see cref="MinInterval"/> (default 250 ms: at most 4 per second).
/// The first update always passes. Thread-safe.
/// </summary>
public sealed class ProgressThrottle
{
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time;
    private readonly long _minIntervalTicks;
    private long _lastEmitted = long.MinValue;

    public ProgressThrottle(TimeProvider? time = null, TimeSpan? minInterval = null)
    {
        _time = time ?? TimeProvider.System;
        MinInterval = minInterval ?? DefaultMinInterval;
        _minIntervalTicks = (long)(MinInterval.TotalSeconds * _time.TimestampFrequency);
    }

    public TimeSpan MinInterval { get; }

    /// <summary>An update was emitted now whatever the interval said: the next waits a full interval from here.</summary>
    public void Restart() => Interlocked.Exchange(ref _lastEmitted, _time.GetTimestamp());

    /// <summary>True (and the interval restarts) when an update may be emitted now.</summary>
    public bool TryEnter()
    {
        var now = _time.GetTimestamp();
        while (true)
        {
            var last = Interlocked.Read(ref _lastEmitted);
            if (last != long.MinValue && now - last < _minIntervalTicks)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _lastEmitted, now, last) == last)
            {
                return true;
            }
        }
    }
}
