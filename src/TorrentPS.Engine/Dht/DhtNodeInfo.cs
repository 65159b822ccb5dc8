using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A node of our routing table as it stood when the snapshot was taken (for <c>Get-TorrentDhtNode</c>). Immutable; the
/// id is hex text and the address and port are plain values, so it formats, serialises and binds by property name.
/// </summary>
/// <param name="Id">The node's id, 40 hex digits.</param>
/// <param name="Bucket">The bucket it is in: the number of leading bits its id shares with ours (at least that many in the last bucket).</param>
/// <param name="LastResponse">When it last answered one of our queries.</param>
/// <param name="LastQuery">When it last sent us a query.</param>
/// <param name="FailedQueries">Our queries it failed to answer since its last answer.</param>
public sealed record DhtNodeInfo(
    string Id,
    string Address,
    int Port,
    DhtNodeState State,
    int Bucket,
    DateTimeOffset? LastResponse,
    DateTimeOffset? LastQuery,
    int FailedQueries)
{
    /// <summary>The node's end point as text (<c>ip:port</c>).</summary>
    public string EndPoint => IPEndPoint.ToString();

    /// <summary>The node's end point.</summary>
    internal IPEndPoint IPEndPoint => new(IPAddress.Parse(Address), Port);
}
