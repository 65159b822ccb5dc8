namespace TorrentPS.Engine.Swarm;

/// <summary>
/// A rate limit: bytes per second with a burst of one second's worth. Taking bytes never fails; it returns how long the
/// taker must wait before sending (or reading) them, so the limit holds on average. Thread-safe; 0 or less is no limit.
/// </summary>
internal sealed class TokenBucket
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private long _bytesPerSecond;
    private double _tokens;
    private long _updated;

    public TokenBucket(long bytesPerSecond, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _bytesPerSecond = bytesPerSecond;
        _tokens = Math.Max(0, bytesPerSecond);
        _updated = _time.GetTimestamp();
    }

    /// <summary>The limit in bytes per second; 0 or less for none. May change while in use.</summary>
    public long BytesPerSecond
    {
        get => Volatile.Read(ref _bytesPerSecond);
        set => Volatile.Write(ref _bytesPerSecond, value);
    }

    public bool IsLimited => BytesPerSecond > 0;

    /// <summary>Takes <paramref name="bytes"/> and returns the wait that keeps the rate (zero when there were tokens).</summary>
    public TimeSpan Take(int bytes)
    {
        var rate = BytesPerSecond;
        if (rate <= 0)
        {
            return TimeSpan.Zero;
        }

        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(rate, _tokens + ((now - _updated) * (double)rate / _time.TimestampFrequency));
            _updated = now;
            _tokens -= bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / rate);
        }
    }

    /// <summary>The longer of two limits' waits for the same bytes (a torrent's and the session's).</summary>
    public static TimeSpan Take(TokenBucket? first, TokenBucket? second, int bytes)
    {
        var a = first?.Take(bytes) ?? TimeSpan.Zero;
        var b = second?.Take(bytes) ?? TimeSpan.Zero;
        return a > b ? a : b;
    }
}
