using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// One node in the routing table (in a bucket or its replacement cache) and what we saw of it. Mutable, and owned by
/// the <see cref="RoutingTable"/> that holds it: nothing else changes it.
/// </summary>
internal sealed class RoutingNode(NodeId id, IPEndPoint endPoint)
{
    /// <summary>Failed queries in a row that make a node bad even while it is fresh.</summary>
    public const int MaxFailedQueries = 2;

    public NodeId Id { get; } = id;

    public IPEndPoint EndPoint { get; set; } = endPoint;

    /// <summary>When it last answered one of our queries; null until it has.</summary>
    public DateTimeOffset? LastResponse { get; set; }

    /// <summary>When it last sent us a query.</summary>
    public DateTimeOffset? LastQuery { get; set; }

    /// <summary>Our queries it failed to answer since its last answer.</summary>
    public int FailedQueries { get; set; }

    /// <summary>A ping to check it is on its way (so it is not pinged twice).</summary>
    public bool PingPending { get; set; }

    /// <summary>The later of its last answer and its last query.</summary>
    public DateTimeOffset LastSeen => (LastQuery > LastResponse ? LastQuery : LastResponse) ?? DateTimeOffset.MinValue;

    /// <summary>
    /// BEP 5's rule: good when it answered us within <paramref name="freshness"/>, or answered us once and queried us
    /// within it; bad after <see cref="MaxFailedQueries"/> failures in a row, or one failure once it is no longer good
    /// (a questionable node that fails its check); questionable otherwise.
    /// </summary>
    public DhtNodeState StateAt(DateTimeOffset now, TimeSpan freshness)
    {
        var fresh = LastResponse is { } answered && (now - answered < freshness || (LastQuery is { } queried && now - queried < freshness));
        if (FailedQueries >= MaxFailedQueries || (FailedQueries > 0 && !fresh))
        {
            return DhtNodeState.Bad;
        }

        return fresh ? DhtNodeState.Good : DhtNodeState.Questionable;
    }

    public DhtContact ToContact() => new(Id, EndPoint);
}
