using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Module.Tests.Support;
using TorrentPS.Trackers;

namespace TorrentPS.Module.Tests.Trackers;

public class TrackerProgressTests
{
    private const string A1 = "udp://a1:1/announce";
    private const string A2 = "udp://a2:1/announce";
    private const string A3 = "udp://a3:1/announce";
    private const string B1 = "http://b1:1/announce";
    private const string B2 = "http://b2:1/announce";

    private static readonly IReadOnlyList<IReadOnlyList<string>> TwoTiers = [[A1, A2, A3], [B1, B2]];

    private static (TrackerProgress Trackers, ManualTimeProvider Time) Create(TrackerAskMode mode, IReadOnlyList<IReadOnlyList<string>>? tiers = null, int timeoutSec = 15, int concurrency = 8)
    {
        var time = new ManualTimeProvider();
        var transfer = new TransferProgress("Asking trackers of t", 0, time: time, minInterval: TimeSpan.Zero, unit: TrackerProgress.Unit);
        return (new TrackerProgress(transfer, tiers ?? TwoTiers, mode, TimeSpan.FromSeconds(timeoutSec), concurrency, time), time);
    }

    [Fact]
    public void The_activity_names_the_torrent_or_else_its_info_hash()
    {
        var hash = InfoHash.Parse("0123456789abcdef0123456789abcdef01234567");
        Assert.Equal("Asking trackers of ubuntu.iso", TrackerProgress.ActivityFor("ubuntu.iso", hash));
        Assert.Equal("Asking trackers of 0123456789abcdef0123456789abcdef01234567", TrackerProgress.ActivityFor(null, hash));
        Assert.Equal("Asking trackers of 0123456789abcdef0123456789abcdef01234567", TrackerProgress.ActivityFor(" ", hash));
    }

    [Fact]
    public void Discovery_counts_answers_failures_and_peers_out_of_every_tracker_at_first()
    {
        var (trackers, _) = Create(TrackerAskMode.Discovery);
        var first = trackers.Begin();
        Assert.NotNull(first);
        Assert.Equal("0 of 5 trackers answered, 0 failed, 0 peers", first.StatusDescription);
        Assert.Equal(0, first.PercentComplete);

        trackers.TrackerFailed(A1);
        trackers.PeerFound();
        var update = trackers.PeerFound();

        Assert.Equal("0 of 5 trackers answered, 1 failed, 2 peers", update!.StatusDescription);
        Assert.Equal(20, update.PercentComplete);
        Assert.Equal(A1 + " failed", update.CurrentOperation);
        Assert.False(update.IsCompleted);
    }

    [Fact]
    public void Discovery_drops_the_rest_of_a_tier_from_the_total_once_one_of_its_trackers_answers()
    {
        var (trackers, _) = Create(TrackerAskMode.Discovery);
        trackers.TrackerFailed(A2);
        var update = trackers.TrackerAnswered(A1); // A3 will not be asked

        Assert.Equal(4, trackers.Expected);
        Assert.Equal("1 of 4 trackers answered, 1 failed, 0 peers", update!.StatusDescription);
        Assert.Equal(50, update.PercentComplete);
        Assert.Equal(A1 + " answered", update.CurrentOperation);

        trackers.TrackerAnswered(B2);
        Assert.Equal(3, trackers.Expected);
        var done = trackers.Complete();
        Assert.True(done!.IsCompleted);
        Assert.Equal("2 of 3 trackers answered, 1 failed, 0 peers", done.StatusDescription);
        Assert.Equal((100, 0), (done.PercentComplete, done.SecondsRemaining));
    }

    [Fact]
    public void Discovery_time_remaining_is_what_the_longest_tier_can_still_take_by_the_timeout()
    {
        var (trackers, time) = Create(TrackerAskMode.Discovery, timeoutSec: 10);
        Assert.Equal(30, trackers.Begin()!.SecondsRemaining); // three trackers in turn, 10 s each

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(26, trackers.PeerFound()!.SecondsRemaining);

        var update = trackers.TrackerFailed(A1); // A2 starts now: 20 s left for the first tier, 16 s for the second
        Assert.Equal(20, update!.SecondsRemaining);

        trackers.TrackerAnswered(A2);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(15, trackers.PeerFound()!.SecondsRemaining); // the second tier: 5 s of B-first, then 10 s
    }

    [Fact]
    public void With_more_open_tiers_than_run_at_once_the_time_remaining_allows_for_the_waiting()
    {
        var (trackers, time) = Create(TrackerAskMode.Discovery, [[A1], [A2], [A3]], timeoutSec: 10, concurrency: 2);
        Assert.Equal(25, trackers.Begin()!.SecondsRemaining); // 30 s of work over 2 at once, plus the longest (10 s)

        time.Advance(TimeSpan.FromSeconds(4));
        // The first two have run 4 s (6 s left each); the third may still wait for a slot (10 s): 22 / 2 + 10.
        Assert.Equal(21, trackers.PeerFound()!.SecondsRemaining);

        time.Advance(TimeSpan.FromSeconds(1));
        // A2 answers at 5 s: A3 takes its slot now (10 s left), A1 has 5 s left.
        Assert.Equal(10, trackers.TrackerAnswered(A2)!.SecondsRemaining);
    }

    [Fact]
    public void Status_counts_every_tracker_and_no_peers()
    {
        var (trackers, time) = Create(TrackerAskMode.Status, timeoutSec: 10);
        var first = trackers.Begin();
        Assert.Equal("0 of 5 trackers answered, 0 failed", first!.StatusDescription);
        Assert.Equal(20, first.SecondsRemaining); // a scrape, then perhaps an announce

        trackers.TrackerAnswered(A1);
        time.Advance(TimeSpan.FromSeconds(5));
        var update = trackers.TrackerFailed(A2);

        Assert.Equal(5, trackers.Expected);
        Assert.Equal("1 of 5 trackers answered, 1 failed", update!.StatusDescription);
        Assert.Equal(40, update.PercentComplete);
        Assert.Equal(15, update.SecondsRemaining);
    }

    [Fact]
    public void Blank_and_repeated_trackers_are_not_counted_twice_and_one_is_singular()
    {
        var (trackers, _) = Create(TrackerAskMode.Discovery, [[A1, " ", A1], [A1], []]);
        Assert.Equal(1, trackers.Expected);
        Assert.Equal("0 of 1 tracker answered, 0 failed, 0 peers", trackers.Begin()!.StatusDescription);
        Assert.Equal("1 of 1 tracker answered, 0 failed, 1 peer", (trackers.TrackerAnswered(A1), trackers.PeerFound()).Item2!.StatusDescription);
    }

    [Fact]
    public void A_tracker_the_tiers_do_not_list_still_counts_once_finished()
    {
        var (trackers, _) = Create(TrackerAskMode.Status, [[A1]]);
        trackers.TrackerFailed("udp://other:1/announce");
        var update = trackers.TrackerAnswered(A1);
        Assert.Equal("1 of 2 trackers answered, 1 failed", update!.StatusDescription);
        Assert.Equal(100, update.PercentComplete);
    }

    [Fact]
    public void Updates_are_throttled_but_the_completed_update_has_the_final_counts()
    {
        var time = new ManualTimeProvider();
        var transfer = new TransferProgress("t", 0, time: time, unit: TrackerProgress.Unit);
        var trackers = new TrackerProgress(transfer, TwoTiers, TrackerAskMode.Discovery, TimeSpan.FromSeconds(15), 8, time);
        Assert.NotNull(trackers.Begin());
        var written = 0;
        for (var i = 0; i < 100; i++)
        {
            written += trackers.PeerFound() is null ? 0 : 1;
        }

        Assert.Equal(0, written);
        Assert.Equal("0 of 5 trackers answered, 0 failed, 100 peers", trackers.Complete()!.StatusDescription);
        Assert.Null(trackers.Complete());
    }
}
