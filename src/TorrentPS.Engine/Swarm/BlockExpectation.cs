namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What the loop told a connection to expect when it last topped up the peer's requests: <paramref name="Bytes"/> of
/// blocks still to come once the peer's first <paramref name="Taken"/> block bytes (those the loop had taken in) are
/// counted, and <paramref name="WakeBelow"/>: a batch of nothing but useful blocks is posted without waking the loop while
/// more than this is still to come after it (<see cref="long.MaxValue"/>: every batch wakes the loop). The connection
/// sizes its receives by the bytes still to come.
/// </summary>
internal readonly record struct BlockExpectation(long Bytes, long Taken, long WakeBelow)
{
    /// <summary>Nothing is on its way: every batch wakes the loop.</summary>
    public static BlockExpectation Nothing(long taken) => new(0, taken, long.MaxValue);

    /// <summary>Block bytes still to come once the peer has sent <paramref name="received"/> block bytes in all.</summary>
    public long Remaining(long received) => Bytes - (received - Taken);

    /// <summary>
    /// Whether a batch may be posted without waking the loop: it holds nothing but useful blocks (<see
    /// cref="PeerMessageBatch.OnlyUsefulBlocks"/>) and enough are still to come after it that the loop's requests do not
    /// run short before the batch that wakes it.
    /// </summary>
    public bool LetsLoopSleep(PeerMessageBatch batch, long received)
        => batch.OnlyUsefulBlocks && Remaining(received) > WakeBelow;
}
