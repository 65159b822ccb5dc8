using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Dht;

/// <summary>Real <see cref="DhtNode"/>s on real UDP sockets, each on its own 127.x.y.z.</summary>
public sealed class DhtNodeUdpTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestLoggerFactory _logs = new();
    private readonly List<DhtNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_answers_a_ping_over_UDP_and_a_malformed_query_with_error_203()
    {
        var node = Start();
        using var client = new UdpClient(new IPEndPoint(TestAddresses.Next(), 0));
        using var timeout = new CancellationTokenSource(Patience);

        await client.SendAsync(KrpcQuery.Ping("u1"u8.ToArray(), NodeId.Random()).Encode(), node.LocalEndPoint, timeout.Token);
        var pong = Assert.IsType<KrpcResponse>(await AnswerAsync(client, "u1"u8.ToArray(), timeout.Token));
        await client.SendAsync(Encoding.Latin1.GetBytes("d1:ad2:id1:xe1:q4:ping1:t2:u21:y1:qe"), node.LocalEndPoint, timeout.Token);
        var error = Assert.IsType<KrpcError>(await AnswerAsync(client, "u2"u8.ToArray(), timeout.Token));

        Assert.Equal(node.Id, pong.SenderId);
        Assert.Equal(client.Client.LocalEndPoint, pong.RequesterEndPoint);
        Assert.Equal(KrpcErrorCode.Protocol, error.Code);
        Assert.Equal("u2"u8.ToArray(), error.TransactionId);
    }

    [Fact]
    public async Task Nodes_bootstrap_from_each_other_and_a_get_peers_lookup_finds_an_announced_peer()
    {
        var first = Start();
        var second = Start();
        var third = Start();
        using var timeout = new CancellationTokenSource(Patience);
        var bootstrap = new[] { new DhtSavedNode(first.Id.Hex, first.LocalEndPoint.ToString()) };
        await second.BootstrapAsync(bootstrap, timeout.Token);
        await third.BootstrapAsync(bootstrap, timeout.Token);
        var torrent = new InfoHash(Enumerable.Repeat((byte)0x5a, 20).ToArray());

        var announce = await third.AnnounceAsync(torrent, 45000, cancellationToken: timeout.Token);
        var found = new List<TorrentPeer>();
        await foreach (var peers in second.GetPeersAsync(torrent, timeout.Token))
        {
            found.AddRange(peers);
        }

        Assert.True(announce.NodesAnnouncedTo >= 1, $"announced to {announce.NodesAnnouncedTo} nodes");
        var peer = Assert.Single(found);
        Assert.Equal(new IPEndPoint(third.LocalEndPoint.Address, 45000), peer.IPEndPoint);
        Assert.Equal(PeerSource.Dht, peer.Source);
        // The first node learned of both others when they queried it, and admitted them once they answered its ping.
        Assert.Contains(first.Nodes, n => n.IPEndPoint.Equals(second.LocalEndPoint));
        Assert.Contains(first.Nodes, n => n.IPEndPoint.Equals(third.LocalEndPoint));
    }

    [Fact]
    public async Task Disposing_closes_the_socket_so_the_port_can_be_bound_again()
    {
        var node = Start();
        var endPoint = node.LocalEndPoint;

        await node.DisposeAsync();

        using var again = new UdpClient(endPoint);
        Assert.Equal(endPoint, again.Client.LocalEndPoint);
    }

    [Fact]
    public void A_port_in_use_is_a_typed_error()
    {
        var node = Start();

        var error = Assert.Throws<DhtException>(() => DhtNode.Start(node.LocalEndPoint, Options()));

        Assert.Equal("DhtPortUnavailable", error.ErrorId);
    }

    /// <summary>The answer to our query <paramref name="transactionId"/>, past the node's own queries (it pings a new querier).</summary>
    private static async Task<KrpcMessage> AnswerAsync(UdpClient client, byte[] transactionId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = KrpcMessage.Decode((await client.ReceiveAsync(cancellationToken)).Buffer);
            if (message is not KrpcQuery && message.TransactionId.AsSpan().SequenceEqual(transactionId))
            {
                return message;
            }
        }
    }

    private DhtNode Start()
    {
        var node = DhtNode.Start(new IPEndPoint(TestAddresses.Next(), 0), Options(), _logs.CreateLogger<DhtNode>());
        _nodes.Add(node);
        return node;
    }

    private static DhtOptions Options() => new() { BootstrapNodes = [], ForbidDefaultRouters = true, QueryTimeout = TimeSpan.FromSeconds(2) };
}
