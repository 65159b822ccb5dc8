using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class ChokerTests
{
    private static readonly long NewPeerAge = 60;

    private static ChokeCandidate Peer(int id, double down = 0, double up = 0, bool interested = true, bool snubbed = false, long connectedAt = 0)
        => new(id, interested, snubbed, down, up, connectedAt);

    [Fact]
    public void While_downloading_the_peers_that_upload_to_us_fastest_get_the_regular_slots()
    {
        var peers = Enumerable.Range(1, 8).Select(i => Peer(i, down: i * 100)).ToList();
        var decision = Choker.Decide(peers, seeding: false, slots: 4, optimistic: null, rotateOptimistic: false, now: 1000, NewPeerAge, new Random(1));
        Assert.Superset(new HashSet<int> { 8, 7, 6, 5 }, decision.Unchoked.Where(id => id != decision.Optimistic).ToHashSet());
        Assert.Equal(5, decision.Unchoked.Count);
        Assert.NotNull(decision.Optimistic);
        Assert.DoesNotContain(decision.Optimistic!.Value, new[] { 8, 7, 6, 5 });
    }

    [Fact]
    public void While_seeding_the_peers_we_upload_to_fastest_get_the_slots()
    {
        var peers = new[] { Peer(1, down: 900, up: 1), Peer(2, up: 50), Peer(3, up: 40), Peer(4, up: 30), Peer(5, up: 20), Peer(6, up: 10) };
        var decision = Choker.Decide(peers, seeding: true, slots: 4, optimistic: 6, rotateOptimistic: false, now: 1000, NewPeerAge, new Random(1));
        Assert.Equal(new HashSet<int> { 2, 3, 4, 5, 6 }, decision.Unchoked.ToHashSet());
    }

    [Fact]
    public void Uninterested_and_snubbed_peers_get_no_regular_slot()
    {
        var peers = new[] { Peer(1, down: 900, interested: false), Peer(2, down: 800, snubbed: true), Peer(3, down: 1) };
        var decision = Choker.Decide(peers, seeding: false, slots: 4, optimistic: null, rotateOptimistic: true, now: 1000, NewPeerAge, new Random(1));
        Assert.Contains(3, decision.Unchoked);
        Assert.DoesNotContain(1, decision.Unchoked);
        Assert.DoesNotContain(2, decision.Unchoked.Where(id => id != decision.Optimistic));
    }

    [Fact]
    public void The_optimistic_slot_stays_with_its_holder_until_the_round_to_rotate_it()
    {
        var peers = Enumerable.Range(1, 10).Select(i => Peer(i, down: i <= 4 ? 0 : 1000 - i)).ToList();
        var first = Choker.Decide(peers, seeding: false, slots: 4, optimistic: null, rotateOptimistic: true, now: 1000, NewPeerAge, new Random(3));
        var kept = Choker.Decide(peers, seeding: false, slots: 4, optimistic: first.Optimistic, rotateOptimistic: false, now: 1010, NewPeerAge, new Random(4));
        Assert.Equal(first.Optimistic, kept.Optimistic);

        var moved = Enumerable.Range(0, 20)
            .Select(seed => Choker.Decide(peers, seeding: false, slots: 4, optimistic: first.Optimistic, rotateOptimistic: true, now: 1030, NewPeerAge, new Random(seed)).Optimistic)
            .ToHashSet();
        Assert.True(moved.Count > 1, "rotation picks among the other interested peers");
    }

    [Fact]
    public void New_peers_are_three_times_as_likely_to_get_the_optimistic_slot()
    {
        // Regular slots go to 1..4; peer 5 is new (connected 10 ago), peer 6 old.
        var peers = new[] { Peer(1, down: 9), Peer(2, down: 8), Peer(3, down: 7), Peer(4, down: 6), Peer(5, connectedAt: 990), Peer(6, connectedAt: 0) };
        var random = new Random(42);
        var counts = new Dictionary<int, int> { [5] = 0, [6] = 0 };
        for (var i = 0; i < 4000; i++)
        {
            counts[Choker.Decide(peers, seeding: false, slots: 4, optimistic: null, rotateOptimistic: true, now: 1000, NewPeerAge, random).Optimistic!.Value]++;
        }

        var ratio = (double)counts[5] / counts[6];
        Assert.InRange(ratio, 2.5, 3.6);
    }

    [Fact]
    public void With_nobody_interested_nobody_is_unchoked()
    {
        var decision = Choker.Decide([Peer(1, interested: false)], seeding: true, slots: 4, optimistic: null, rotateOptimistic: true, now: 0, NewPeerAge, new Random(1));
        Assert.Empty(decision.Unchoked);
        Assert.Null(decision.Optimistic);
    }
}
