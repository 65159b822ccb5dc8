namespace TorrentPS.Engine.Rates;

/// <summary>
/// A transfer rate over a sliding window, from a running byte counter sampled on the loop's clock ticks. Not
/// thread-safe: its owner (the loop) samples and reads it.
/// </summary>
internal sealed class RateMeter
{
    private readonly long[] _bytes;
    private readonly long[] _times;
    private readonly long _window;
    private int _next;
    private int _count;

    /// <param name="window">How far back the rate looks, in <see cref="TimeProvider"/> timestamp units.</param>
    /// <param name="capacity">Samples kept: window ÷ tick interval, and some.</param>
    public RateMeter(long window, int capacity = 64)
    {
        _window = window;
        _bytes = new long[capacity];
        _times = new long[capacity];
    }

    /// <summary>Bytes per timestamp unit × <see cref="TimeProvider.TimestampFrequency"/> = bytes per second, over the window.</summary>
    public double BytesPerSecond { get; private set; }

    /// <summary>Records the counter's value at <paramref name="timestamp"/> and updates the rate.</summary>
    public void Sample(long totalBytes, long timestamp, long timestampFrequency)
    {
        _bytes[_next] = totalBytes;
        _times[_next] = timestamp;
        _next = (_next + 1) % _bytes.Length;
        _count = Math.Min(_count + 1, _bytes.Length);

        // The oldest sample still inside the window (or the oldest kept).
        var oldest = (_next - _count + _bytes.Length) % _bytes.Length;
        for (var i = 0; i < _count - 1; i++)
        {
            var candidate = (oldest + i) % _bytes.Length;
            if (timestamp - _times[candidate] <= _window)
            {
                oldest = candidate;
                break;
            }
        }

        var elapsed = timestamp - _times[oldest];
        BytesPerSecond = elapsed <= 0 ? 0 : (totalBytes - _bytes[oldest]) * (double)timestampFrequency / elapsed;
    }

    public void Reset()
    {
        _count = 0;
        _next = 0;
        BytesPerSecond = 0;
    }
}
