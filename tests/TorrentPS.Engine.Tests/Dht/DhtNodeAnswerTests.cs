using System.Net;
using System.Text;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Dht;

/// <summary>How a <see cref="DhtNode"/> answers what others send it, on a simulated network with a fake clock.</summary>
public sealed class DhtNodeAnswerTests : IAsyncLifetime
{
    private static readonly InfoHash Torrent = new(Enumerable.Repeat((byte)0x42, 20).ToArray());
    private readonly SimulatedDhtNetwork _network = new();
    private DhtNode _node = null!;

    public Task InitializeAsync()
    {
        _node = _network.StartNode();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public void A_ping_is_answered_with_our_id_and_the_querier_address()
    {
        var querier = _network.AddNode();

        var answer = Assert.IsType<KrpcResponse>(Ask(querier, KrpcQuery.Ping("p1"u8.ToArray(), querier.Id)));

        Assert.Equal(_node.Id, answer.SenderId);
        Assert.Equal("p1"u8.ToArray(), answer.TransactionId);
        Assert.Equal(querier.EndPoint, answer.RequesterEndPoint);
        Assert.Equal("TP"u8.ToArray(), answer.Version![..2]);
    }

    [Fact]
    public async Task A_find_node_is_answered_with_the_closest_nodes_we_know()
    {
        var network = _network.AddNetwork(60, new Random(11));
        await Bootstrap(_node, network[0]);
        var querier = _network.AddNode();
        var target = NodeId.Random();

        var answer = Assert.IsType<KrpcResponse>(Ask(querier, KrpcQuery.FindNode("f1"u8.ToArray(), querier.Id, target)));

        // The querier itself joins our table only after the answer (once it answers our ping).
        var known = _node.Nodes.Where(n => n.Id != querier.Id.Hex).Select(n => NodeId.Parse(n.Id)).ToList();
        Assert.True(known.Count >= 8, $"{known.Count} nodes known");
        Assert.Equal(known.OrderBy(id => id.Xor(target)).Take(8), answer.Nodes.Select(n => n.Id));
    }

    [Fact]
    public void An_announce_with_the_token_from_get_peers_stores_the_peer_for_later_get_peers()
    {
        var announcer = _network.AddNode();
        var seeker = _network.AddNode();

        var first = Assert.IsType<KrpcResponse>(Ask(announcer, KrpcQuery.GetPeers("g1"u8.ToArray(), announcer.Id, Torrent)));
        Assert.Empty(first.Values);
        Assert.NotNull(first.Token);
        Assert.IsType<KrpcResponse>(Ask(announcer, KrpcQuery.AnnouncePeer("a1"u8.ToArray(), announcer.Id, Torrent, 51413, first.Token!)));

        var second = Assert.IsType<KrpcResponse>(Ask(seeker, KrpcQuery.GetPeers("g2"u8.ToArray(), seeker.Id, Torrent)));

        Assert.Equal([new IPEndPoint(announcer.EndPoint.Address, 51413)], second.Values);
        Assert.Equal(1, _node.Status.PeersStored);
        Assert.Equal(1, _node.Status.TorrentsStored);
    }

    [Fact]
    public void An_announce_with_implied_port_stores_the_source_port()
    {
        var announcer = _network.AddNode(endPoint: new IPEndPoint(_network.NextAddress(), 40000));
        var token = Assert.IsType<KrpcResponse>(Ask(announcer, KrpcQuery.GetPeers("g1"u8.ToArray(), announcer.Id, Torrent))).Token!;

        Ask(announcer, KrpcQuery.AnnouncePeer("a1"u8.ToArray(), announcer.Id, Torrent, 1, token, impliedPort: true));

        var answer = Assert.IsType<KrpcResponse>(Ask(announcer, KrpcQuery.GetPeers("g2"u8.ToArray(), announcer.Id, Torrent)));
        Assert.Equal([announcer.EndPoint], answer.Values);
    }

    [Fact]
    public void An_announce_with_a_token_given_to_another_address_is_refused_with_error_203()
    {
        var owner = _network.AddNode();
        var thief = _network.AddNode();
        var token = Assert.IsType<KrpcResponse>(Ask(owner, KrpcQuery.GetPeers("g1"u8.ToArray(), owner.Id, Torrent))).Token!;

        var answer = Assert.IsType<KrpcError>(Ask(thief, KrpcQuery.AnnouncePeer("a1"u8.ToArray(), thief.Id, Torrent, 6881, token)));

        Assert.Equal(KrpcErrorCode.Protocol, answer.Code);
        Assert.Equal(0, _node.Status.PeersStored);
    }

    [Fact]
    public void An_announce_with_a_token_older_than_two_rotations_is_refused()
    {
        var announcer = _network.AddNode();
        var token = Assert.IsType<KrpcResponse>(Ask(announcer, KrpcQuery.GetPeers("g1"u8.ToArray(), announcer.Id, Torrent))).Token!;

        _network.Advance(TimeSpan.FromMinutes(11));

        Assert.IsType<KrpcError>(Ask(announcer, KrpcQuery.AnnouncePeer("a1"u8.ToArray(), announcer.Id, Torrent, 6881, token)));
    }

    [Fact]
    public void A_malformed_query_is_answered_with_error_203_and_an_unknown_method_with_204()
    {
        var querier = _network.AddNode();

        var malformed = Assert.IsType<KrpcError>(AskRaw(querier, "d1:ad2:id3:abce1:q4:ping1:t2:m11:y1:qe", "m1"));
        var unknown = Assert.IsType<KrpcError>(AskRaw(querier, $"d1:ad2:id20:{Encoding.Latin1.GetString(querier.Id.ToArray())}e1:q6:vote_x1:t2:m21:y1:qe", "m2"));

        Assert.Equal(KrpcErrorCode.Protocol, malformed.Code);
        Assert.Equal(KrpcErrorCode.MethodUnknown, unknown.Code);
    }

    [Fact]
    public void Garbage_and_queries_without_a_transaction_id_get_no_answer()
    {
        var querier = _network.AddNode();

        _network.Send(querier.EndPoint, _node.LocalEndPoint, "garbage"u8.ToArray());
        _network.Send(querier.EndPoint, _node.LocalEndPoint, Encoding.Latin1.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe"));
        _network.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(querier.Answers);
        Assert.Equal(2, _node.Status.DatagramsDropped);
    }

    [Fact]
    public void A_response_nobody_asked_for_is_ignored()
    {
        var stranger = _network.AddNode();

        _network.Send(stranger.EndPoint, _node.LocalEndPoint, new KrpcResponse("zz"u8.ToArray(), stranger.Id).Encode());
        _network.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, _node.Status.DatagramsDropped);
        Assert.Equal(0, _node.Status.ResponsesReceived);
        Assert.Empty(_node.Nodes);
    }

    [Fact]
    public async Task A_response_with_the_right_transaction_id_from_another_address_is_ignored()
    {
        var silent = _network.AddNode();
        silent.Silent = true;
        var forger = _network.AddNode();

        var ping = _node.QueryAsync(silent.EndPoint, KrpcQuery.Ping([0], _node.Id), CancellationToken.None);
        _network.Advance(TimeSpan.FromMilliseconds(50));
        var transactionId = Assert.Single(silent.Received).Query.TransactionId;
        _network.Send(forger.EndPoint, _node.LocalEndPoint, new KrpcResponse(transactionId, forger.Id).Encode());

        Assert.Null(await _network.RunAsync(ping));
        Assert.Equal(1, _node.Status.QueryTimeouts);
        Assert.Equal(0, _node.Status.ResponsesReceived);
        Assert.Empty(_node.Nodes);
    }

    [Fact]
    public void A_node_that_queries_us_is_pinged_and_admitted_once_it_answers()
    {
        var querier = _network.AddNode();

        Ask(querier, KrpcQuery.Ping("p1"u8.ToArray(), querier.Id));
        _network.Advance(TimeSpan.FromSeconds(1));

        Assert.Contains(querier.Received, r => r.Query.Method == KrpcMethod.Ping);
        var node = Assert.Single(_node.Nodes);
        Assert.Equal(querier.Id.Hex, node.Id);
        Assert.Equal(DhtNodeState.Good, node.State);
    }

    [Fact]
    public void A_read_only_querier_is_answered_but_never_pinged_or_admitted()
    {
        var querier = _network.AddNode();

        Assert.IsType<KrpcResponse>(Ask(querier, KrpcQuery.Ping("p1"u8.ToArray(), querier.Id) with { ReadOnly = true }));
        _network.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(querier.Received);
        Assert.Empty(_node.Nodes);
    }

    private async Task Bootstrap(DhtNode node, SimulatedDhtNode from)
        => await _network.RunAsync(node.BootstrapAsync([new DhtSavedNode(from.Id.Hex, from.EndPoint.ToString())]));

    /// <summary>Sends <paramref name="query"/> from a simulated node and returns the answer it got.</summary>
    private KrpcMessage Ask(SimulatedDhtNode from, KrpcQuery query)
    {
        _network.Send(from.EndPoint, _node.LocalEndPoint, query.Encode());
        _network.Advance(TimeSpan.FromMilliseconds(100));
        return from.Answers.Single(a => a.TransactionId.AsSpan().SequenceEqual(query.TransactionId));
    }

    private KrpcMessage AskRaw(SimulatedDhtNode from, string datagram, string transactionId)
    {
        _network.Send(from.EndPoint, _node.LocalEndPoint, Encoding.Latin1.GetBytes(datagram));
        _network.Advance(TimeSpan.FromMilliseconds(100));
        return from.Answers.Single(a => a.TransactionId.AsSpan().SequenceEqual(Encoding.Latin1.GetBytes(transactionId)));
    }
}
