using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// Bounds the queries a DHT node answers: a token bucket per source address (a burst, then a steady rate) and one for
/// all addresses together. The per-address table holds at most <see cref="MaxAddresses"/> entries: when full, entries
/// whose bucket has refilled (the address went quiet) are dropped, and if none has, a new address is refused until one
/// does (a sweep runs at most once per <see cref="SweepInterval"/>, so a flood of new addresses cannot make every query
/// walk the table); a flood from many addresses therefore costs bounded memory, bounded work per datagram and at most
/// the global rate of answers.
/// Not thread-safe: its <see cref="DhtNode"/> holds its lock.
/// </summary>
internal sealed class QueryRateLimiter
{
    private readonly Dictionary<IPAddress, Bucket> _addresses = [];
    private readonly TimeProvider _time;
    private readonly double _burst;
    private readonly double _perSecond;
    private readonly double _globalBurst;
    private readonly double _globalPerSecond;
    private double _global;
    private long _globalRefilled;
    private long _swept;

    public QueryRateLimiter(TimeProvider time, int burstPerAddress, double perSecondPerAddress, int maxAddresses, double globalPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burstPerAddress);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecondPerAddress);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAddresses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(globalPerSecond);
        _time = time;
        _burst = burstPerAddress;
        _perSecond = perSecondPerAddress;
        MaxAddresses = maxAddresses;
        _globalPerSecond = globalPerSecond;
        _globalBurst = globalPerSecond;
        _global = _globalBurst;
        _globalRefilled = time.GetTimestamp();
        _swept = _globalRefilled;
    }

    /// <summary>The least time between two sweeps of a full table.</summary>
    public static TimeSpan SweepInterval { get; } = TimeSpan.FromSeconds(1);

    public int MaxAddresses { get; }

    /// <summary>Addresses tracked now.</summary>
    public int TrackedAddresses => _addresses.Count;

    /// <summary>Takes one query's worth from <paramref name="address"/>'s bucket and the global one; false when either is empty.</summary>
    public bool TryAcquire(IPAddress address)
    {
        var now = _time.GetTimestamp();
        _global = Math.Min(_globalBurst, _global + (Seconds(_globalRefilled, now) * _globalPerSecond));
        _globalRefilled = now;
        if (!_addresses.TryGetValue(address, out var bucket))
        {
            if (_addresses.Count >= MaxAddresses && (_time.GetElapsedTime(_swept, now) < SweepInterval || !Sweep(now)))
            {
                return false;
            }

            bucket = new Bucket { Tokens = _burst, Refilled = now };
            _addresses[address] = bucket;
        }

        bucket.Tokens = Math.Min(_burst, bucket.Tokens + (Seconds(bucket.Refilled, now) * _perSecond));
        bucket.Refilled = now;
        if (bucket.Tokens < 1 || _global < 1)
        {
            return false;
        }

        bucket.Tokens--;
        _global--;
        return true;
    }

    /// <summary>Drops the addresses whose bucket is full again (quiet long enough to have refilled); true when any was dropped.</summary>
    public bool Sweep() => Sweep(_time.GetTimestamp());

    private bool Sweep(long now)
    {
        _swept = now;
        var before = _addresses.Count;
        foreach (var (address, bucket) in _addresses)
        {
            if (bucket.Tokens + (Seconds(bucket.Refilled, now) * _perSecond) >= _burst)
            {
                _addresses.Remove(address);
            }
        }

        return _addresses.Count < before;
    }

    private double Seconds(long from, long to) => _time.GetElapsedTime(from, to).TotalSeconds;

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long Refilled { get; set; }
    }
}
