using System.Collections.Concurrent;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The messages of one receive, handed to the loop in one event (the loop hears about blocks in batches, never once per
/// block). Batches are pooled: the loop returns each after handling it.
/// </summary>
internal sealed class PeerMessageBatch
{
    private static readonly ConcurrentBag<PeerMessageBatch> Pool = new();

    private PeerMessageBatch()
    {
    }

    public List<IncomingMessage> Messages { get; } = new(128);

    public int Count => Messages.Count;

    public static PeerMessageBatch Rent() => Pool.TryTake(out var batch) ? batch : new PeerMessageBatch();

    public void Add(in IncomingMessage message) => Messages.Add(message);

    /// <summary>Gives the batch back to the pool (the loop, when done with it).</summary>
    public void Return()
    {
        Messages.Clear();
        if (Pool.Count < 256)
        {
            Pool.Add(this);
        }
    }
}
