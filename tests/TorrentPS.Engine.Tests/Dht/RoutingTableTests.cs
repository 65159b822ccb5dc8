using System.Net;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Dht;

namespace TorrentPS.Engine.Tests.Dht;

public sealed class RoutingTableTests
{
    private static readonly NodeId Own = NodeId.Parse("0000000000000000000000000000000000000000");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private int _address;

    [Fact]
    public void Only_the_bucket_holding_our_own_id_splits()
    {
        var table = new RoutingTable(Own, _clock);
        var random = new Random(3);

        for (var i = 0; i < 2000; i++)
        {
            table.Heard(RandomId(random), NextEndPoint(), responded: true);
        }

        var buckets = table.BucketSnapshot();
        Assert.True(buckets.Count > 5, $"{buckets.Count} buckets");
        Assert.All(buckets, b => Assert.InRange(b.Nodes, 0, RoutingTable.BucketSize));
        // Half of all ids share no leading bit with ours: bucket 0 is full and never split.
        Assert.Equal(RoutingTable.BucketSize, buckets[0].Nodes);
        Assert.True(buckets[^1].HoldsOwnId);
        Assert.All(table.Nodes(), n => Assert.Equal(Math.Min(Own.CommonPrefixLength(n.Node.Id), buckets.Count - 1), n.Bucket));
    }

    [Fact]
    public void A_full_far_bucket_of_good_nodes_only_caches_a_newcomer()
    {
        var table = FullFarBucket(out var far);

        var result = table.Heard(FarId(100), NextEndPoint(), responded: true);

        Assert.Equal(RoutingOutcome.Cached, result.Outcome);
        Assert.Null(result.PingFirst);
        Assert.All(far, id => Assert.True(table.Contains(id)));
        Assert.Equal(1, table.ReplacementCount);
    }

    [Fact]
    public void A_questionable_node_is_pinged_before_a_newcomer_takes_its_place()
    {
        var table = FullFarBucket(out var far);
        _clock.Advance(TimeSpan.FromMinutes(16));
        var newcomer = FarId(100);

        var result = table.Heard(newcomer, NextEndPoint(), responded: true);

        Assert.Equal(RoutingOutcome.Cached, result.Outcome);
        Assert.NotNull(result.PingFirst);
        Assert.Equal(far[0], result.PingFirst!.Id); // the least recently seen
        Assert.False(table.Contains(newcomer));

        // The ping goes unanswered: the questionable node is now bad and the newcomer takes its place.
        Assert.True(table.Failed(result.PingFirst.EndPoint));
        Assert.True(table.Contains(newcomer));
        Assert.False(table.Contains(far[0]));
    }

    [Fact]
    public void A_questionable_node_that_answers_its_ping_keeps_its_place()
    {
        var table = FullFarBucket(out var far);
        _clock.Advance(TimeSpan.FromMinutes(16));
        var newcomer = FarId(100);
        var result = table.Heard(newcomer, NextEndPoint(), responded: true);

        table.Heard(result.PingFirst!.Id, result.PingFirst.EndPoint, responded: true);

        Assert.True(table.Contains(far[0]));
        Assert.False(table.Contains(newcomer));
        Assert.Equal(1, table.ReplacementCount);
    }

    [Fact]
    public void A_bad_node_is_replaced_by_a_newcomer_at_once()
    {
        var table = FullFarBucket(out var far);
        var victim = table.Nodes().First(n => n.Node.Id == far[3]).Node;
        table.Failed(victim.EndPoint);
        Assert.False(table.Failed(victim.EndPoint)); // two failures: bad, but no replacement waits yet
        var newcomer = FarId(100);

        var result = table.Heard(newcomer, NextEndPoint(), responded: true);

        Assert.Equal(RoutingOutcome.Replaced, result.Outcome);
        Assert.True(table.Contains(newcomer));
        Assert.False(table.Contains(far[3]));
    }

    [Fact]
    public void A_bad_node_gives_its_place_to_the_newest_replacement()
    {
        var table = FullFarBucket(out var far);
        var older = FarId(100);
        var newer = FarId(101);
        table.Heard(older, NextEndPoint(), responded: true);
        _clock.Advance(TimeSpan.FromSeconds(1));
        table.Heard(newer, NextEndPoint(), responded: true);
        var victim = table.Nodes().First(n => n.Node.Id == far[5]).Node;

        table.Failed(victim.EndPoint);
        Assert.True(table.Failed(victim.EndPoint));

        Assert.True(table.Contains(newer));
        Assert.False(table.Contains(older));
        Assert.False(table.Contains(far[5]));
    }

    [Fact]
    public void One_IP_address_holds_at_most_one_entry()
    {
        var table = new RoutingTable(Own, _clock);
        var address = IPAddress.Parse("127.0.0.9");
        var first = FarId(1);

        Assert.Equal(RoutingOutcome.Added, table.Heard(first, new IPEndPoint(address, 1000), responded: true).Outcome);
        for (var port = 1001; port < 1100; port++)
        {
            Assert.Equal(RoutingOutcome.Rejected, table.Heard(FarId(port), new IPEndPoint(address, port), responded: true).Outcome);
        }

        Assert.Equal(1, table.NodeCount + table.ReplacementCount);
        // The same node answering from a new port moves there.
        Assert.Equal(RoutingOutcome.Updated, table.Heard(first, new IPEndPoint(address, 2000), responded: true).Outcome);
        Assert.Equal(2000, Assert.Single(table.NodeSnapshot()).Port);
    }

    [Fact]
    public void An_id_cannot_move_to_another_address_while_its_entry_is_good()
    {
        var table = new RoutingTable(Own, _clock);
        var id = FarId(1);
        table.Heard(id, NextEndPoint(), responded: true);

        Assert.Equal(RoutingOutcome.Rejected, table.Heard(id, NextEndPoint(), responded: true).Outcome);
        Assert.Equal(1, table.NodeCount);
    }

    [Fact]
    public void A_node_that_only_queried_us_needs_a_ping_before_it_is_admitted()
    {
        var table = new RoutingTable(Own, _clock);
        var id = FarId(1);
        var endPoint = NextEndPoint();

        Assert.Equal(RoutingOutcome.NeedsVerification, table.Heard(id, endPoint, responded: false).Outcome);
        Assert.Equal(0, table.NodeCount);
        Assert.Equal(RoutingOutcome.Added, table.Heard(id, endPoint, responded: true).Outcome);
        Assert.Equal(RoutingOutcome.Updated, table.Heard(id, endPoint, responded: false).Outcome);
    }

    [Fact]
    public void A_node_that_answered_once_and_queries_us_stays_good_without_answering_again()
    {
        var table = new RoutingTable(Own, _clock);
        var id = FarId(1);
        var endPoint = NextEndPoint();
        table.Heard(id, endPoint, responded: true);

        _clock.Advance(TimeSpan.FromMinutes(14));
        table.Heard(id, endPoint, responded: false);
        _clock.Advance(TimeSpan.FromMinutes(14));

        Assert.Equal(DhtNodeState.Good, Assert.Single(table.NodeSnapshot()).State);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(DhtNodeState.Questionable, Assert.Single(table.NodeSnapshot()).State);
    }

    [Fact]
    public void Our_own_id_and_unusable_addresses_are_never_admitted()
    {
        var table = new RoutingTable(Own, _clock) { OwnEndPoint = IPEndPoint.Parse("127.0.0.5:6881") };

        Assert.Equal(RoutingOutcome.Rejected, table.Heard(Own, NextEndPoint(), responded: true).Outcome);
        Assert.Equal(RoutingOutcome.Rejected, table.Heard(FarId(1), IPEndPoint.Parse("127.0.0.5:6881"), responded: true).Outcome);
        Assert.Equal(RoutingOutcome.Rejected, table.Heard(FarId(2), IPEndPoint.Parse("0.0.0.0:6881"), responded: true).Outcome);
        Assert.Equal(RoutingOutcome.Rejected, table.Heard(FarId(3), IPEndPoint.Parse("239.1.2.3:6881"), responded: true).Outcome);
        Assert.Equal(RoutingOutcome.Rejected, table.Heard(FarId(4), IPEndPoint.Parse("[::1]:6881"), responded: true).Outcome);
        Assert.Equal(0, table.NodeCount);
    }

    [Fact]
    public void The_closest_nodes_are_the_true_closest_and_never_bad()
    {
        var table = new RoutingTable(Own, _clock);
        var random = new Random(5);
        for (var i = 0; i < 500; i++)
        {
            table.Heard(RandomId(random), NextEndPoint(), responded: true);
        }

        var target = RandomId(random);
        var all = table.Nodes().Select(n => n.Node).ToList();
        var bad = all.OrderBy(n => n.Id.Xor(target)).First();
        table.Failed(bad.EndPoint);
        table.Failed(bad.EndPoint);

        var closest = table.Closest(target);

        // The bad node either still sits in its bucket (no replacement waited) or gave its place to one: never listed.
        var expected = table.Nodes().Select(n => n.Node).Where(n => n != bad).OrderBy(n => n.Id.Xor(target)).Take(RoutingTable.BucketSize).Select(n => n.Id);
        Assert.Equal(expected, closest.Select(c => c.Id));
        Assert.DoesNotContain(bad.Id, closest.Select(c => c.Id));
    }

    [Fact]
    public void Quiet_buckets_come_up_for_refresh_with_a_target_inside_them()
    {
        var table = FullFarBucket(out _);
        Assert.Empty(table.TakeStaleBuckets(RoutingTable.Freshness, 10));

        _clock.Advance(TimeSpan.FromMinutes(15));
        var targets = table.TakeStaleBuckets(RoutingTable.Freshness, 10);

        Assert.Equal(table.BucketCount, targets.Count);
        Assert.Equal(0, table.BucketIndexOf(targets[0]));
        Assert.Empty(table.TakeStaleBuckets(RoutingTable.Freshness, 10));
    }

    /// <summary>A table whose bucket 0 (ids starting with a 1 bit) holds 8 good nodes, added a second apart.</summary>
    private RoutingTable FullFarBucket(out List<NodeId> far)
    {
        var table = new RoutingTable(Own, _clock);
        far = [];
        for (var i = 0; i < RoutingTable.BucketSize; i++)
        {
            far.Add(FarId(i));
            Assert.Equal(RoutingOutcome.Added, table.Heard(far[i], NextEndPoint(), responded: true).Outcome);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Nodes near us make the table split, so bucket 0 is no longer the one holding our id.
        table.Heard(NodeId.Parse("0000000000000000000000000000000000000009"), NextEndPoint(), responded: true);
        Assert.True(table.BucketCount > 1);
        return table;
    }

    /// <summary>An id whose first bit differs from ours (bucket 0), distinct for each n.</summary>
    private static NodeId FarId(int n) => NodeId.Parse($"8{n:x39}");

    private static NodeId RandomId(Random random)
    {
        var bytes = new byte[NodeId.Length];
        random.NextBytes(bytes);
        return new NodeId(bytes);
    }

    private IPEndPoint NextEndPoint()
    {
        var n = ++_address;
        return new IPEndPoint(new IPAddress([127, 1, (byte)(n / 250), (byte)((n % 250) + 2)]), 6881);
    }
}
