using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What reaches a torrent's loop through its channel: small records posted by connection threads, trackers, the disk
/// and the clock. The loop alone acts on them (see Swarm/INVARIANTS.md).
/// </summary>
internal abstract record SwarmEvent
{
    /// <summary>A handshake finished (we dialled, or the peer dialled us) and the connection's threads run.</summary>
    public sealed record PeerConnected(IPeerLink Link) : SwarmEvent;

    /// <summary>A dial or handshake we started failed.</summary>
    public sealed record ConnectFailed(IPEndPoint EndPoint, string Reason) : SwarmEvent;

    /// <summary>The messages of one receive.</summary>
    public sealed record PeerMessages(IPeerLink Link, PeerMessageBatch Batch) : SwarmEvent;

    /// <summary>The connection ended; its threads are done with the torrent's pieces.</summary>
    public sealed record PeerClosed(IPeerLink Link, string Reason) : SwarmEvent;

    /// <summary>Peer addresses learned (trackers, magnet links, the user).</summary>
    public sealed record PeersFound(IReadOnlyList<TorrentPeer> Peers) : SwarmEvent;

    public sealed record PieceVerified(int Index) : SwarmEvent;

    public sealed record PieceFailed(int Index, int[] Contributors) : SwarmEvent;

    public sealed record StorageFailed(int Index, Exception Error) : SwarmEvent;

    /// <summary>The check of the data already on disk finished with these pieces verified (or failed).</summary>
    public sealed record CheckFinished(Bitfield? Verified, Exception? Error) : SwarmEvent;

    /// <summary>A tracker answered an announce.</summary>
    public sealed record TrackerAnswered(string Url, int PeerCount) : SwarmEvent;

    /// <summary>A tracker announce failed.</summary>
    public sealed record TrackerFailed(string Url, string Reason) : SwarmEvent;

    /// <summary>The clock: timeouts, rates, choking, checkpoints, status.</summary>
    public sealed record Tick : SwarmEvent;

    /// <summary>Stop the torrent (the user's Ctrl+C, or its owner ending it).</summary>
    public sealed record Stop(string Reason) : SwarmEvent;

    /// <summary>
    /// Choose other files or priorities: <paramref name="Change"/> turns the latest selection into the new one (on the
    /// loop, so changes asked one after the other all apply); <paramref name="Done"/> ends with the selection in force.
    /// </summary>
    public sealed record ChangeSelection(Func<FileSelection, FileSelection> Change, TaskCompletionSource<FileSelection> Done) : SwarmEvent;

    /// <summary>
    /// The data took <paramref name="Selection"/> (moved part-file bytes into newly chosen files, off the loop), or
    /// failed with <paramref name="Error"/>; <paramref name="Waiters"/> asked for it.
    /// </summary>
    public sealed record SelectionChanged(FileSelection Selection, Exception? Error, IReadOnlyList<TaskCompletionSource<FileSelection>> Waiters) : SwarmEvent;

    /// <summary>Runs <paramref name="Action"/> on the loop after everything posted before it (tests and status queries).</summary>
    public sealed record Barrier(Action Action) : SwarmEvent;
}
