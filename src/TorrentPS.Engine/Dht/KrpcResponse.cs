using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A KRPC response (<c>y</c> = <c>r</c>). A response does not name the query it answers (its transaction id does), so
/// every field but the responder's id is optional and the querier checks what it asked for. <see cref="Nodes"/> holds
/// both <c>nodes</c> (IPv4) and <c>nodes6</c> (IPv6) entries; <see cref="Values"/> the peers of <c>get_peers</c>.
/// </summary>
internal sealed record KrpcResponse(byte[] TransactionId, NodeId SenderId) : KrpcMessage(TransactionId)
{
    /// <summary>Nodes close to the target (<c>find_node</c>, <c>get_peers</c>), both families.</summary>
    public IReadOnlyList<DhtContact> Nodes { get; init; } = [];

    /// <summary>Peers of the torrent (<c>get_peers</c>); entries with port 0 are left out.</summary>
    public IReadOnlyList<IPEndPoint> Values { get; init; } = [];

    /// <summary>The token for a later <c>announce_peer</c> (<c>get_peers</c>).</summary>
    public byte[]? Token { get; init; }

    /// <summary>BEP 42's <c>ip</c>: the querier's address as the responder saw it.</summary>
    public IPEndPoint? RequesterEndPoint { get; init; }
}
