using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// What every torrent of a session shares: a bound on connections across all of them, and the session's upload and
/// download rate limits (each torrent may have tighter ones of its own). Thread-safe.
/// </summary>
public sealed class SessionLimits : IConnectionBudget
{
    private int _connections;

    internal SessionLimits(int maxConnections = 200, TimeProvider? time = null)
    {
        MaxConnections = maxConnections;
        Upload = new TokenBucket(0, time);
        Download = new TokenBucket(0, time);
    }

    /// <summary>Connections (made or being made) across the session's torrents at most.</summary>
    internal int MaxConnections { get; set; }

    internal int Connections => Volatile.Read(ref _connections);

    /// <summary>The session's upload limit (bytes per second; 0 for none).</summary>
    internal TokenBucket Upload { get; }

    /// <summary>The session's download limit (bytes per second; 0 for none).</summary>
    internal TokenBucket Download { get; }

    /// <summary>Takes a connection slot; false when the session is full.</summary>
    internal bool TryAcquireConnection()
    {
        while (true)
        {
            var current = Volatile.Read(ref _connections);
            if (current >= MaxConnections)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _connections, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void ReleaseConnection() => Interlocked.Decrement(ref _connections);

    bool IConnectionBudget.TryAcquire() => TryAcquireConnection();

    void IConnectionBudget.Release() => ReleaseConnection();
}
