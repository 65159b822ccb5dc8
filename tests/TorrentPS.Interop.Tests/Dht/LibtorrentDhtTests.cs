using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TorrentPS.Interop.Tests.Dht;

/// <summary>
/// Our DHT node among libtorrent 2.0.8 DHT nodes on loopback (INTEROP.md's DHT notes): it finds a trackerless
/// libtorrent seeder, libtorrent finds the peer it announces, and libtorrent nodes keep it in their routing tables.
/// Nothing but 127.0.0.0/8; no default router is ever resolved (<see cref="DhtOptions.ForbidDefaultRouters"/>).
/// </summary>
public sealed class LibtorrentDhtTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<IAsyncDisposable> _running = [];
    private readonly TestLoggerFactory _logs = new();
    private readonly TempDirectory _folder = new("tps-dht");
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromMinutes(3));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var running in Enumerable.Reverse(_running))
        {
            await running.DisposeAsync();
        }

        _folder.Dispose();
        _deadline.Dispose();
    }

    [Fact]
    public async Task Our_node_finds_a_trackerless_libtorrent_seeder_through_get_peers()
    {
        var torrent = TestTorrent.Create(_folder.Path, "dht-seeded.bin", length: 300_000, pieceLength: 32 * 1024);
        var nodes = await LibtorrentDhtNode.StartNetworkAsync(3, _running.Add, Patience);
        var seeder = await StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [nodes[0].EndPoint], Seed = torrent });
        // The seeder's announce has reached the DHT when a node says it stored it.
        await LibtorrentDhtNode.WaitForAnyAsync(nodes, n => n.AnnouncesReceived(torrent.Info.Hash).Count > 0, "receive the seeder's announce", Patience);

        var clock = Stopwatch.StartNew();
        var node = Start(nodes[0].EndPoint);
        await node.BootstrapAsync(cancellationToken: _deadline.Token);
        var bootstrapped = clock.Elapsed;
        var found = await FirstPeerAsync(node, torrent.Info.Hash, seeder.EndPoint);
        var firstPeer = clock.Elapsed;

        Assert.True(found, $"the seeder {seeder.EndPoint} was not found:\n{Explain(node)}\n{seeder.Output}");
        output.WriteLine($"start to first peer: {firstPeer.TotalMilliseconds:0} ms (bootstrap {bootstrapped.TotalMilliseconds:0} ms) with {nodes.Count} libtorrent nodes and the seeder");
    }

    [Fact]
    public async Task A_libtorrent_lookup_finds_the_peer_our_node_announced()
    {
        var torrent = new InfoHash(Enumerable.Range(40, 20).Select(i => (byte)i).ToArray());
        var nodes = await LibtorrentDhtNode.StartNetworkAsync(3, _running.Add, Patience);
        var node = Start(nodes[0].EndPoint);
        await node.BootstrapAsync(cancellationToken: _deadline.Token);
        var ourPeer = new IPEndPoint(node.LocalEndPoint.Address, 51413);

        var announce = await node.AnnounceAsync(torrent, ourPeer.Port, cancellationToken: _deadline.Token);
        var seeker = await StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [nodes[1].EndPoint], Lookup = torrent });

        Assert.True(announce.NodesAnnouncedTo >= 1, Explain(node));

        // libtorrent prints what it stored a little after it answered: wait for the line, from any node.
        var deadline = DateTime.UtcNow + Patience;
        while (!nodes.Any(n => n.AnnouncesReceived(torrent).Contains(ourPeer)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no libtorrent node stored {ourPeer} for {torrent}\n{Explain(node)}");
            await Task.Delay(100);
        }

        await seeker.WaitUntilAsync(s => s.PeersFound(torrent).Contains(ourPeer), $"find {ourPeer} for {torrent}", Patience);
    }

    [Fact]
    public async Task Libtorrent_nodes_query_our_node_and_keep_it_in_their_routing_tables()
    {
        var nodes = await LibtorrentDhtNode.StartNetworkAsync(2, _running.Add, Patience);
        var node = Start(nodes[0].EndPoint);
        await node.BootstrapAsync(cancellationToken: _deadline.Token);

        // A newcomer that knows only our node learns the others through our find_node answers.
        var newcomer = await StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [node.LocalEndPoint] });

        await newcomer.WaitUntilAsync(n => n.RoutingTable.Contains(node.LocalEndPoint) && nodes.All(o => n.RoutingTable.Contains(o.EndPoint)), "hold our node and the nodes we named in its routing table", Patience);
        await nodes[0].WaitUntilAsync(n => n.RoutingTable.Contains(node.LocalEndPoint), "hold our node in its routing table", Patience);
        Assert.True(node.Status.QueriesReceived > 0, Explain(node));
        Assert.Contains(node.Nodes, n => n.IPEndPoint.Equals(newcomer.EndPoint));
    }

    private async Task<LibtorrentDhtNode> StartAsync(LibtorrentDhtNodeOptions options)
    {
        var node = await LibtorrentDhtNode.StartAsync(options);
        _running.Add(node);
        return node;
    }

    /// <summary>Our node on its own loopback address, bootstrapping from <paramref name="router"/> only.</summary>
    private DhtNode Start(IPEndPoint router)
    {
        var options = new DhtOptions { BootstrapNodes = [router.ToString()], ForbidDefaultRouters = true, QueryTimeout = TimeSpan.FromSeconds(2) };
        var node = DhtNode.Start(new IPEndPoint(Loopback.NextAddress(), 0), options, _logs.CreateLogger<DhtNode>());
        _running.Add(node);
        return node;
    }

    /// <summary>Runs one get_peers lookup; true as soon as it yields <paramref name="wanted"/>.</summary>
    private async Task<bool> FirstPeerAsync(DhtNode node, InfoHash infoHash, IPEndPoint wanted)
    {
        await foreach (var peers in node.GetPeersAsync(infoHash, _deadline.Token))
        {
            if (peers.Any(p => p.IPEndPoint.Equals(wanted)))
            {
                return true;
            }
        }

        return false;
    }

    private string Explain(DhtNode node)
        => $"{node.Status}\n{string.Join('\n', node.Nodes)}\n{string.Join('\n', _logs.Messages)}";
}
