using System.Net;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Swarm;

/// <summary>A peer address a torrent may connect to, with what happened when it tried. Owned by the loop.</summary>
internal sealed class PeerCandidate
{
    public PeerCandidate(IPEndPoint endPoint, PeerSource source)
    {
        EndPoint = endPoint;
        Source = source;
    }

    public IPEndPoint EndPoint { get; }

    public PeerSource Source { get; }

    public PeerCandidateState State { get; set; }

    /// <summary>Dials that failed in a row (reset by a connection that delivered).</summary>
    public int Failures { get; set; }

    /// <summary>Connections closed because the peer misbehaved (junk, floods); never reset in a run.</summary>
    public int Offences { get; set; }

    /// <summary>When it may be dialled again.</summary>
    public long RetryAt { get; set; }

    /// <summary>Why the last attempt or connection ended.</summary>
    public string? LastError { get; set; }

    /// <summary>It was dialled at least once.</summary>
    public bool Tried { get; internal set; }

    /// <summary>It left the set (pruned or banned): its place went to another address.</summary>
    internal bool Removed { get; set; }

    public override string ToString() => $"{EndPoint} ({State})";
}

internal enum PeerCandidateState
{
    Idle,
    Connecting,
    Connected,
    Banned,
}
