using System.Net;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Tests.Dht;

/// <summary>Lookups, bootstrap and announces of a <see cref="DhtNode"/> against simulated networks on a fake clock.</summary>
public sealed class DhtLookupTests : IAsyncLifetime
{
    private readonly SimulatedDhtNetwork _network = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Theory]
    [InlineData(300, 1)]
    [InlineData(500, 2)]
    [InlineData(500, 3)]
    public async Task An_announce_reaches_exactly_the_true_closest_nodes_of_a_large_network(int size, int seed)
    {
        var random = new Random(seed);
        var nodes = _network.AddNetwork(size, random);
        var node = _network.StartNode();
        await _network.RunAsync(node.BootstrapAsync([Saved(nodes[random.Next(size)])]));
        var torrent = RandomHash(random);

        var result = await _network.RunAsync(node.AnnounceAsync(torrent, 6881));

        var target = NodeId.FromInfoHash(torrent);
        var trueClosest = nodes.OrderBy(n => n.Id.Xor(target)).Take(8).ToHashSet();
        var announcedTo = nodes.Where(n => n.PeersOf(torrent).Count > 0).ToHashSet();
        Assert.Equal(8, result.NodesAnnouncedTo);
        Assert.True(trueClosest.SetEquals(announcedTo), $"announced to {string.Join(", ", announcedTo.Select(n => n.Id))}; the closest are {string.Join(", ", trueClosest.Select(n => n.Id))}");
        Assert.All(announcedTo, n => Assert.Equal([new IPEndPoint(node.LocalEndPoint.Address, 6881)], n.PeersOf(torrent)));
        Assert.InRange(result.NodesQueried, 8, 60);
        Assert.Equal(1, node.Status.TorrentsAnnounced);
    }

    [Fact]
    public async Task A_lookup_hands_on_the_distinct_peers_the_closest_nodes_hold_and_counts_them()
    {
        var random = new Random(5);
        var nodes = _network.AddNetwork(300, random);
        var node = _network.StartNode();
        await _network.RunAsync(node.BootstrapAsync([Saved(nodes[0])]));
        var torrent = RandomHash(random);
        var target = NodeId.FromInfoHash(torrent);
        IPEndPoint[] peers = [IPEndPoint.Parse("127.9.0.1:1001"), IPEndPoint.Parse("127.9.0.2:1002")];
        foreach (var holder in nodes.OrderBy(n => n.Id.Xor(target)).Take(2))
        {
            holder.Peers[target] = [.. peers];
        }

        var found = new List<TorrentPeer>();
        var count = await _network.RunAsync(node.LookupPeersAsync(torrent, batch => { lock (found) { found.AddRange(batch); } }));

        Assert.Equal(2, count);
        Assert.Equal(peers.OrderBy(p => p.ToString()), found.Select(p => p.IPEndPoint).OrderBy(p => p.ToString()));
        Assert.All(found, p => Assert.Equal(PeerSource.Dht, p.Source));
        Assert.DoesNotContain(nodes, n => n.PeersOf(torrent).Count > 2);
    }

    [Fact]
    public async Task Get_peers_yields_the_distinct_peers_the_closest_nodes_hold()
    {
        var random = new Random(4);
        var nodes = _network.AddNetwork(300, random);
        var node = _network.StartNode();
        await _network.RunAsync(node.BootstrapAsync([Saved(nodes[0])]));
        var torrent = RandomHash(random);
        var target = NodeId.FromInfoHash(torrent);
        var holders = nodes.OrderBy(n => n.Id.Xor(target)).Take(3).ToList();
        IPEndPoint[] peers = [IPEndPoint.Parse("127.9.0.1:1001"), IPEndPoint.Parse("127.9.0.2:1002"), IPEndPoint.Parse("127.9.0.3:1003")];
        holders[0].Peers[target] = [peers[0], peers[1]];
        holders[1].Peers[target] = [peers[1], peers[2]];
        holders[2].Peers[target] = [peers[0]];

        var found = await _network.RunAsync(CollectAsync(node.GetPeersAsync(torrent)));

        Assert.Equal(peers.OrderBy(p => p.ToString()), found.Select(p => p.IPEndPoint).OrderBy(p => p.ToString()));
        Assert.All(found, p => Assert.Equal(PeerSource.Dht, p.Source));
        Assert.All(found, p => Assert.Equal(torrent, p.Hash));
    }

    [Fact]
    public async Task A_hostile_node_naming_endless_fresh_closer_nodes_cannot_extend_a_lookup_beyond_its_bound()
    {
        var random = new Random(6);
        var honest = _network.AddNetwork(50, random);
        var torrent = RandomHash(random);
        var target = NodeId.FromInfoHash(torrent);
        // The hostile node is closer to the target than any honest one, and every honest node names it.
        var hostile = _network.AddNode(target.RandomWithPrefix(24));
        MakeHostile(hostile, target);
        foreach (var node in honest)
        {
            node.Known.Add(hostile.Contact);
        }

        var options = new DhtOptions { BootstrapNodes = [], ForbidDefaultRouters = true, MaxNodesQueriedPerLookup = 40 };
        var dht = _network.StartNode(options);
        await _network.RunAsync(dht.BootstrapAsync([Saved(honest[0])]));
        var sentBefore = _network.SentBy.GetValueOrDefault(dht.LocalEndPoint);
        var started = _network.Clock.GetUtcNow();

        await _network.RunAsync(CollectAsync(dht.GetPeersAsync(torrent)));

        var sent = _network.SentBy.GetValueOrDefault(dht.LocalEndPoint) - sentBefore;
        var hostileNodes = _network.Nodes.Count(n => n.Behaviour is not null);
        Assert.True(hostileNodes > 100, $"only {hostileNodes} hostile nodes were named");
        // Answers to the queries of others (the hostile nodes query no one) and pings of questionable nodes do not
        // happen here: every datagram sent is one of the lookup's queries.
        Assert.InRange(sent, 1, 40);
        Assert.True(_network.Clock.GetUtcNow() - started < options.LookupTimeout, "the bound, not the deadline, ended it");
    }

    [Fact]
    public async Task Bogus_nodes_that_never_answer_end_a_lookup_by_its_deadline_at_the_latest()
    {
        var random = new Random(8);
        var torrent = RandomHash(random);
        var target = NodeId.FromInfoHash(torrent);
        var hostile = _network.AddNode();
        // Every answer names eight fresh nodes closer to the target at addresses where nobody answers.
        hostile.Behaviour = (query, _) => new KrpcResponse(query.TransactionId, hostile.Id)
        {
            Token = [1],
            Nodes = Enumerable.Range(0, 8).Select(_ => new DhtContact(Closer(target, random), new IPEndPoint(_network.NextAddress(), 6881))).ToList(),
        };
        var options = new DhtOptions { BootstrapNodes = [], ForbidDefaultRouters = true, LookupTimeout = TimeSpan.FromSeconds(20) };
        var node = _network.StartNode(options);
        await _network.RunAsync(node.BootstrapAsync([Saved(hostile)]));
        var started = _network.Clock.GetUtcNow();
        var sentBefore = _network.SentBy.GetValueOrDefault(node.LocalEndPoint);

        await _network.RunAsync(CollectAsync(node.GetPeersAsync(torrent)), TimeSpan.FromMinutes(1));

        Assert.True(_network.Clock.GetUtcNow() - started <= options.LookupTimeout + TimeSpan.FromSeconds(1));
        Assert.InRange(_network.SentBy.GetValueOrDefault(node.LocalEndPoint) - sentBefore, 1, options.MaxNodesQueriedPerLookup);
    }

    [Fact]
    public async Task Bootstrap_from_a_router_fills_the_table_but_leaves_the_router_out_of_it()
    {
        var random = new Random(9);
        var nodes = _network.AddNetwork(200, random);
        var router = _network.AddNode();
        router.Known.AddRange(nodes.Select(n => n.Contact));
        var node = _network.StartNode(new DhtOptions { BootstrapNodes = [router.EndPoint.ToString()], ForbidDefaultRouters = true });

        var count = await _network.RunAsync(node.BootstrapAsync());

        Assert.True(count >= 16, $"{count} nodes");
        Assert.Equal(count, node.Nodes.Count);
        Assert.DoesNotContain(node.Nodes, n => n.IPEndPoint.Equals(router.EndPoint));
        Assert.Contains(router.Received, r => r.Query.Method == KrpcMethod.FindNode && r.Query.Target == node.Id);
    }

    [Fact]
    public async Task Saved_nodes_are_enough_to_bootstrap_without_asking_the_routers()
    {
        var random = new Random(10);
        var nodes = _network.AddNetwork(200, random);
        var first = _network.StartNode();
        await _network.RunAsync(first.BootstrapAsync([Saved(nodes[0])]));
        var saved = first.GetNodes();
        var router = _network.AddNode();
        var second = _network.StartNode(new DhtOptions { BootstrapNodes = [router.EndPoint.ToString()], ForbidDefaultRouters = true, NodeId = first.Id });

        var count = await _network.RunAsync(second.BootstrapAsync(saved));

        Assert.True(saved.Count >= 8);
        Assert.True(count >= 8);
        Assert.Equal(first.Id, second.Id);
        Assert.Empty(router.Received);
    }

    [Fact]
    public async Task A_damaged_saved_node_list_is_read_past()
    {
        var nodes = _network.AddNetwork(50, new Random(12));
        var node = _network.StartNode();

        var count = await _network.RunAsync(node.BootstrapAsync([new DhtSavedNode("nothex", "127.0.0.1:1"), new DhtSavedNode(nodes[0].Id.Hex, "no port"), null!, Saved(nodes[1])]));

        Assert.True(count > 0);
    }

    [Fact]
    public async Task The_default_routers_are_never_resolved_when_forbidden()
    {
        var defaults = _network.StartNode(new DhtOptions { ForbidDefaultRouters = true });
        var named = _network.StartNode(new DhtOptions { BootstrapNodes = ["127.0.0.1:1", "ROUTER.utorrent.com.:6881"], ForbidDefaultRouters = true });

        var first = await Assert.ThrowsAsync<DhtException>(() => defaults.BootstrapAsync());
        var second = await Assert.ThrowsAsync<DhtException>(() => named.BootstrapAsync());
        var third = await Assert.ThrowsAsync<DhtException>(() => named.AddNodesAsync(["dht.transmissionbt.com:6881"]));

        Assert.Equal("DhtDefaultRouterForbidden", first.ErrorId);
        Assert.Equal("DhtDefaultRouterForbidden", second.ErrorId);
        Assert.Equal("DhtDefaultRouterForbidden", third.ErrorId);
        Assert.Contains("router.bittorrent.com", first.Message);
        Assert.Equal(0, _network.DatagramsSent);
    }

    [Fact]
    public async Task Nodes_a_torrent_names_are_pinged_and_join_the_table()
    {
        var nodes = _network.AddNetwork(40, new Random(13));
        var node = _network.StartNode();

        var answered = await _network.RunAsync(node.AddNodesAsync([nodes[0].EndPoint.ToString(), nodes[1].EndPoint.ToString(), "not an end point"]));

        Assert.Equal(2, answered);
        Assert.True(node.Nodes.Count > 2, "a lookup ran through them while the table was thin");
    }

    [Fact]
    public async Task Questionable_nodes_are_pinged_and_quiet_buckets_refreshed_after_15_minutes()
    {
        var nodes = _network.AddNetwork(100, new Random(14));
        var node = _network.StartNode();
        await _network.RunAsync(node.BootstrapAsync([Saved(nodes[0])]));
        foreach (var n in nodes)
        {
            n.Received.Clear();
        }

        _network.Advance(TimeSpan.FromMinutes(17));

        var pinged = nodes.Where(n => n.Received.Any(r => r.Query.Method == KrpcMethod.Ping)).Select(n => n.EndPoint).ToHashSet();
        var refreshes = nodes.SelectMany(n => n.Received).Where(r => r.Query.Method == KrpcMethod.FindNode && r.Query.Target != node.Id).ToList();
        Assert.True(pinged.Count >= 8, $"{pinged.Count} nodes pinged");
        Assert.NotEmpty(refreshes);
        // Each node that answered its ping is good again; the rest wait for a later round.
        Assert.All(node.Nodes.Where(n => pinged.Contains(n.IPEndPoint)), n => Assert.Equal(DhtNodeState.Good, n.State));
    }

    [Fact]
    public async Task A_node_that_stops_answering_turns_bad_and_its_place_goes_to_a_replacement()
    {
        var nodes = _network.AddNetwork(300, new Random(15));
        var node = _network.StartNode();
        await _network.RunAsync(node.BootstrapAsync([Saved(nodes[0])]));
        var bucket0 = node.Buckets[0];
        Assert.True(bucket0.Replacements > 0 || bucket0.Nodes < 8, "bucket 0 has replacements waiting");
        var victims = node.Nodes.Where(n => n.Bucket == 0).Select(n => n.IPEndPoint).ToHashSet();
        foreach (var n in nodes.Where(n => victims.Contains(n.EndPoint)))
        {
            n.Silent = true;
        }

        _network.Advance(TimeSpan.FromMinutes(40));

        var now = node.Nodes.Where(n => n.Bucket == 0).ToList();
        Assert.Contains(now, n => !victims.Contains(n.IPEndPoint));
        Assert.All(now.Where(n => victims.Contains(n.IPEndPoint)), n => Assert.Equal(DhtNodeState.Bad, n.State));
    }

    [Fact]
    public async Task Disposing_ends_a_lookup_in_flight_and_later_calls_are_refused()
    {
        var nodes = _network.AddNetwork(40, new Random(16));
        var node = _network.StartNode();
        await _network.RunAsync(node.BootstrapAsync([Saved(nodes[0])]));
        foreach (var n in nodes)
        {
            n.Silent = true;
        }

        var lookup = CollectAsync(node.GetPeersAsync(Torrent(2)));
        Assert.True(node.OutstandingQueries > 0, "the lookup waits for answers");

        await node.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup);
        Assert.Equal(0, node.OutstandingQueries);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await node.GetPeersAsync(Torrent(3)).GetAsyncEnumerator().MoveNextAsync());
        Assert.Throws<ObjectDisposedException>(() => { _ = node.BootstrapAsync(); });
    }

    /// <summary>Every answer names eight fresh nodes, each one bit closer to the target than the one answering, each as hostile.</summary>
    private void MakeHostile(SimulatedDhtNode node, NodeId target)
    {
        node.Behaviour = (query, _) =>
        {
            var closer = Math.Min(node.Id.CommonPrefixLength(target) + 1, NodeId.Bits - 1);
            var fresh = Enumerable.Range(0, 8).Select(_ =>
            {
                var next = _network.AddNode(target.RandomWithPrefix(closer));
                MakeHostile(next, target);
                return next.Contact;
            }).ToList();
            return new KrpcResponse(query.TransactionId, node.Id) { Token = [1], Nodes = fresh };
        };
    }

    /// <summary>An id sharing 120 to 159 leading bits with <paramref name="target"/>.</summary>
    private static NodeId Closer(NodeId target, Random random) => target.RandomWithPrefix(random.Next(120, 160));

    private static InfoHash RandomHash(Random random)
    {
        var bytes = new byte[20];
        random.NextBytes(bytes);
        return new InfoHash(bytes);
    }

    private static InfoHash Torrent(byte n) => new(Enumerable.Repeat(n, 20).ToArray());

    private static DhtSavedNode Saved(SimulatedDhtNode node) => new(node.Id.Hex, node.EndPoint.ToString());

    private static async Task<List<TorrentPeer>> CollectAsync(IAsyncEnumerable<IReadOnlyList<TorrentPeer>> batches)
    {
        var all = new List<TorrentPeer>();
        await foreach (var batch in batches.ConfigureAwait(false))
        {
            all.AddRange(batch);
        }

        return all;
    }
}
