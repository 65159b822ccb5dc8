using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A KRPC query (<c>y</c> = <c>q</c>): the method and its arguments. Which arguments are set depends on the method:
/// <see cref="Target"/> for <c>find_node</c>; <see cref="InfoHash"/> for <c>get_peers</c> and <c>announce_peer</c>;
/// <see cref="Port"/>, <see cref="ImpliedPort"/> and <see cref="Token"/> for <c>announce_peer</c>. The factories make
/// each kind whole.
/// </summary>
internal sealed record KrpcQuery(byte[] TransactionId, KrpcMethod Method, NodeId SenderId) : KrpcMessage(TransactionId)
{
    /// <summary>The id looked for (<c>find_node</c>).</summary>
    public NodeId? Target { get; init; }

    /// <summary>The torrent (<c>get_peers</c>, <c>announce_peer</c>).</summary>
    public InfoHash? InfoHash { get; init; }

    /// <summary>The announced peer's TCP port (<c>announce_peer</c>); ignored when <see cref="ImpliedPort"/> is set.</summary>
    public int Port { get; init; }

    /// <summary><c>implied_port</c>: the peer's port is the UDP source port of the query.</summary>
    public bool ImpliedPort { get; init; }

    /// <summary>The token a <c>get_peers</c> answer gave (<c>announce_peer</c>).</summary>
    public byte[]? Token { get; init; }

    /// <summary>BEP 43's <c>ro</c>: the querier answers no queries, so it must not enter a routing table.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>BEP 32's <c>want</c>.</summary>
    public KrpcWant Want { get; init; }

    public static KrpcQuery Ping(byte[] transactionId, NodeId senderId) => new(transactionId, KrpcMethod.Ping, senderId);

    public static KrpcQuery FindNode(byte[] transactionId, NodeId senderId, NodeId target)
        => new(transactionId, KrpcMethod.FindNode, senderId) { Target = target };

    public static KrpcQuery GetPeers(byte[] transactionId, NodeId senderId, InfoHash infoHash)
        => new(transactionId, KrpcMethod.GetPeers, senderId) { InfoHash = infoHash };

    public static KrpcQuery AnnouncePeer(byte[] transactionId, NodeId senderId, InfoHash infoHash, int port, byte[] token, bool impliedPort = false)
        => new(transactionId, KrpcMethod.AnnouncePeer, senderId) { InfoHash = infoHash, Port = port, Token = token, ImpliedPort = impliedPort };

    /// <summary>The method's name on the wire.</summary>
    public static string WireName(KrpcMethod method) => method switch
    {
        KrpcMethod.Ping => "ping",
        KrpcMethod.FindNode => "find_node",
        KrpcMethod.GetPeers => "get_peers",
        KrpcMethod.AnnouncePeer => "announce_peer",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };
}
