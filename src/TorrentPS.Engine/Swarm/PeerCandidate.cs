using System.Net;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Swarm;

/// <summary>A peer address a torrent may connect to, with what happened when it tried. Owned by the loop.</summary>
public sealed class PeerCandidate
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

    /// <summary>When it may be dialled again.</summary>
    public long RetryAt { get; set; }

    /// <summary>Why the last attempt or connection ended.</summary>
    public string? LastError { get; set; }

    public override string ToString() => $"{EndPoint} ({State})";
}

public enum PeerCandidateState
{
    Idle,
    Connecting,
    Connected,
    Banned,
}
