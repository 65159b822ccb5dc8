using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class TrackerTierListTests
{
    private static readonly IReadOnlyList<IReadOnlyList<string>> Tiers =
    [
        ["udp://a/announce", "udp://b/announce", "udp://c/announce", "udp://d/announce"],
        [],
        ["http://e/announce", "udp://a/announce"],
    ];

    [Fact]
    public void Tiers_keep_their_order_and_drop_empty_tiers_and_repeats()
    {
        var list = new TrackerTierList(Tiers);

        Assert.Equal(2, list.TierCount);
        Assert.Equal(["udp://a/announce", "udp://b/announce", "udp://c/announce", "udp://d/announce"], list.GetTier(0).Select(t => t.Url).Order());
        Assert.Equal(["http://e/announce"], list.GetTier(1).Select(t => t.Url));
        Assert.Equal(1, list.GetTier(1)[0].Tier);
    }

    [Fact]
    public void Trackers_are_shuffled_within_a_tier()
    {
        var orders = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            orders.Add(string.Join(",", new TrackerTierList(Tiers).GetTier(0).Select(t => t.Url)));
        }

        // 24 orders are possible: 50 shuffles that all came out alike would mean no shuffle.
        Assert.True(orders.Count > 1);
        Assert.Equal(["udp://a/announce", "udp://b/announce", "udp://c/announce", "udp://d/announce"], new TrackerTierList(Tiers, shuffle: false).GetTier(0).Select(t => t.Url));
    }

    [Fact]
    public void A_tracker_that_answers_moves_to_the_front_of_its_tier()
    {
        var list = new TrackerTierList(Tiers, shuffle: false);
        var c = list.GetTier(0)[2];

        list.Promote(c);

        Assert.Equal(["udp://c/announce", "udp://a/announce", "udp://b/announce", "udp://d/announce"], list.GetTier(0).Select(t => t.Url));
        Assert.Equal(["http://e/announce"], list.GetTier(1).Select(t => t.Url));
    }

    [Fact]
    public void State_snapshot_reports_answers_and_errors()
    {
        var state = new TrackerState("udp://a/announce", 0);
        var hash = TrackerTestData.InfoHash;
        Assert.Equal(TrackerStatusKind.NotContacted, state.Snapshot(hash).Status);

        var now = DateTimeOffset.UtcNow;
        state.RecordAnnounce(now, new AnnounceResponse { Interval = TimeSpan.FromMinutes(30), Seeders = 4, Leechers = 2, Peers = [] });
        var working = state.Snapshot(hash);
        Assert.Equal((TrackerStatusKind.Working, 4L, 2L), (working.Status, working.Seeders!.Value, working.Leechers!.Value));
        Assert.Equal(now.AddMinutes(30), working.NextAnnounce);

        state.RecordFailure(now, new TrackerTimeoutException("udp://a/announce", TimeSpan.FromSeconds(1)));
        var failed = state.Snapshot(hash);
        Assert.Equal(TrackerStatusKind.TimedOut, failed.Status);
        Assert.Contains("did not answer", failed.LastError);
        Assert.Equal(4, failed.Seeders);
    }
}
