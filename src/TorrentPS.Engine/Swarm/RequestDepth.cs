namespace TorrentPS.Engine.Swarm;

/// <summary>
/// How many block requests to keep outstanding with a peer: enough to cover its rate over the time a request takes to
/// be answered, never more than the peer said it queues (<c>reqq</c>), one for a snubbed peer. Between the clock's
/// ticks each requested block that arrives adds one (<see cref="Grow"/>, TCP's slow start: the pipeline doubles each
/// round trip while the peer keeps up), so a fast peer is not held to <see cref="Initial"/> until its rate is known
/// (issue 20: from one loopback seeder the first half second ran at 16 requests, a quarter of the download's time).
/// </summary>
internal static class RequestDepth
{
    public const int Initial = 16;

    /// <summary>The most requests to any one peer: 256 × 16 KiB = 4 MiB in flight, enough for loopback's 3 GB/s round trips.</summary>
    public const int Maximum = 256;

    /// <summary>The queue a peer is assumed to take when it names none (libtorrent's long-standing default).</summary>
    public const int DefaultPeerQueue = 250;

    /// <summary>The request round trip the queue must cover, in seconds: generous, since a busy seeder answers slowly.</summary>
    public const double CoverSeconds = 0.5;

    public static int For(double bytesPerSecond, int? peerQueueLimit, bool snubbed)
    {
        if (snubbed)
        {
            return 1;
        }

        var byRate = 4 + (bytesPerSecond * CoverSeconds / ActivePiece.BlockSize);
        var limit = Limit(peerQueueLimit);
        return (int)Math.Clamp(byRate, Math.Min(Initial, limit), limit);
    }

    /// <summary>One more request in flight for a block the peer delivered, up to the most it may have.</summary>
    public static int Grow(int depth, int? peerQueueLimit) => Math.Max(depth, Math.Min(depth + 1, Limit(peerQueueLimit)));

    private static int Limit(int? peerQueueLimit) => Math.Min(peerQueueLimit is > 0 and { } reqq ? reqq : DefaultPeerQueue, Maximum);
}
