using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What the loop's parts send to peers while one batch of events is handled: each message goes on its peer's send
/// queue at once, and every peer written to is flushed once when the batch is done (one wake-up of its writer per
/// batch, not per message). Owned by the loop.
/// </summary>
internal sealed class PeerOutbox
{
    private readonly HashSet<PeerState> _written = new();

    /// <summary>Queues <paramref name="message"/> for <paramref name="peer"/>; sent at the next <see cref="FlushAll"/>.</summary>
    public void Send(PeerState peer, in OutgoingMessage message)
    {
        peer.Link.Enqueue(message);
        _written.Add(peer);
    }

    /// <summary>The peer's queue changed by other means (uploads taken back): flush it with the rest.</summary>
    public void Touch(PeerState peer) => _written.Add(peer);

    /// <summary>The peer left: nothing more to flush for it.</summary>
    public void Forget(PeerState peer) => _written.Remove(peer);

    public void FlushAll()
    {
        if (_written.Count == 0)
        {
            return;
        }

        foreach (var peer in _written)
        {
            peer.Link.Flush();
        }

        _written.Clear();
    }
}
