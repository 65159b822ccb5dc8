using System.Net;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Dht;

/// <summary>
/// A DHT node of the simulated network: answers BEP 5 queries from what it was told it knows (<see cref="Known"/>, its
/// stand-in for a routing table) and the peers announced to it, or stays silent, or does what <see cref="Behaviour"/>
/// says (a hostile node). It records what it was asked.
/// </summary>
internal sealed class SimulatedDhtNode(NodeId id, IPEndPoint endPoint)
{
    public static readonly byte[] Token = "sim-token"u8.ToArray();

    public NodeId Id { get; } = id;

    public IPEndPoint EndPoint { get; } = endPoint;

    /// <summary>The nodes it answers find_node and get_peers from.</summary>
    public List<DhtContact> Known { get; } = [];

    /// <summary>Peers it has for each torrent (announced to it, or put there by a test).</summary>
    public Dictionary<NodeId, List<IPEndPoint>> Peers { get; } = [];

    /// <summary>Answers nothing at all.</summary>
    public bool Silent { get; set; }

    /// <summary>Replaces the normal answer (null: no answer).</summary>
    public Func<KrpcQuery, IPEndPoint, KrpcMessage?>? Behaviour { get; set; }

    /// <summary>Every query it received, with its sender.</summary>
    public List<(KrpcQuery Query, IPEndPoint From)> Received { get; } = [];

    /// <summary>Answers it received to queries it sent (the flood tests' senders).</summary>
    public List<KrpcMessage> Answers { get; } = [];

    public DhtContact Contact => new(Id, EndPoint);

    public KrpcMessage? Answer(KrpcQuery query, IPEndPoint from)
    {
        Received.Add((query, from));
        if (Silent)
        {
            return null;
        }

        if (Behaviour is not null)
        {
            return Behaviour(query, from);
        }

        var response = new KrpcResponse(query.TransactionId, Id);
        switch (query.Method)
        {
            case KrpcMethod.FindNode:
                return response with { Nodes = Closest(query.Target!.Value) };
            case KrpcMethod.GetPeers:
                var target = NodeId.FromInfoHash(query.InfoHash!);
                return response with
                {
                    Token = Token,
                    Nodes = Closest(target),
                    Values = Peers.TryGetValue(target, out var peers) ? peers.ToList() : [],
                };
            case KrpcMethod.AnnouncePeer:
                if (!query.Token!.AsSpan().SequenceEqual(Token))
                {
                    return new KrpcError(query.TransactionId, KrpcErrorCode.Protocol, "bad token");
                }

                var key = NodeId.FromInfoHash(query.InfoHash!);
                if (!Peers.TryGetValue(key, out var list))
                {
                    Peers[key] = list = [];
                }

                list.Add(new IPEndPoint(from.Address, query.ImpliedPort ? from.Port : query.Port));
                return response;
            default:
                return response;
        }
    }

    public List<DhtContact> Closest(NodeId target, int count = 8)
        => Known.OrderBy(n => n.Id.Xor(target)).Take(count).ToList();

    /// <summary>The announces it accepted for <paramref name="infoHash"/>.</summary>
    public IReadOnlyList<IPEndPoint> PeersOf(InfoHash infoHash)
        => Peers.TryGetValue(NodeId.FromInfoHash(infoHash), out var list) ? list : [];
}
