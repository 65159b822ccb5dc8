using System.Collections.Concurrent;
using TorrentPS.Engine.Wire;

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

    /// <summary>True while every message added is a block that went into its piece (accepted, or completing it).</summary>
    public bool OnlyUsefulBlocks { get; private set; } = true;

    public void Add(in IncomingMessage message)
    {
        Messages.Add(message);
        OnlyUsefulBlocks &= message is { Type: PeerMessageType.Piece, Outcome: BlockOutcome.Accepted or BlockOutcome.CompletedPiece };
    }

    /// <summary>Gives the batch back to the pool (the loop, when done with it).</summary>
    public void Return()
    {
        Messages.Clear();
        OnlyUsefulBlocks = true;
        if (Pool.Count < 256)
        {
            Pool.Add(this);
        }
    }
}
