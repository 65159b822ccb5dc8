using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

/// <summary>
/// The progress a discovery or status query reports, step by step on a fake clock: counts out of what will be asked
/// (the cap, the tiers' first answers), and the time remaining by the engine's own schedule (timeouts, the stagger
/// within a tier, the slots, the overall deadline).
/// </summary>
public sealed class TrackerBatchLedgerTests
{
    private const string A1 = "udp://a1:1/announce";
    private const string A2 = "udp://a2:1/announce";
    private const string A3 = "udp://a3:1/announce";
    private const string B1 = "http://b1:1/announce";
    private const string B2 = "http://b2:1/announce";

    private static TrackerDiscoveryOptions Options(FakeTimeProvider time, int timeoutSec = 10, int staggerSec = 2, int concurrency = 8, int? overallSec = null) => TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(timeoutSec)) with
    {
        Time = time,
        TierStagger = TimeSpan.FromSeconds(staggerSec),
        MaxConcurrency = concurrency,
        OverallTimeout = overallSec is { } o ? TimeSpan.FromSeconds(o) : null,
    };

    private static (TrackerBatchLedger Ledger, TrackerTierList Tiers, Channel<TrackerBatchProgress> Channel) Discovery(TrackerDiscoveryOptions options, params IReadOnlyList<string>[] tiers)
    {
        var list = new TrackerTierList(tiers, shuffle: false);
        var selected = TrackerPeerDiscovery.SelectTiers(list, options.MaxTrackers, NullLogger.Instance, new PeerDiscoveryTarget { InfoHash = TrackerTestData.InfoHash, TrackerTiers = tiers, Left = 1 });
        var channel = Channel.CreateUnbounded<TrackerBatchProgress>();
        return (TrackerBatchLedger.ForDiscovery(TrackerTestData.InfoHash, selected, list.All.Count - selected.Sum(t => t.Count), options, channel.Writer), list, channel);
    }

    private static TrackerState Tracker(TrackerTierList tiers, string url) => tiers.All.Single(t => t.Url == url);

    private static int Seconds(TrackerBatchProgress progress) => (int)Math.Ceiling(progress.TimeRemaining.TotalSeconds);

    [Fact]
    public void Discovery_counts_out_of_every_tracker_and_a_tier_leaves_the_count_once_one_of_it_answers()
    {
        var time = new FakeTimeProvider();
        var (ledger, tiers, _) = Discovery(Options(time), [A1, A2, A3], [B1, B2]);
        Assert.Equal((5, 0, 0, 0, 0), (ledger.Latest.Expected, ledger.Latest.Asked, ledger.Latest.Answered, ledger.Latest.Failed, ledger.Latest.InFlight));

        ledger.Entered(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A1));
        ledger.Entered(Tracker(tiers, B1));
        ledger.Asking(Tracker(tiers, B1));
        Assert.Equal((5, 2, 2), (ledger.Latest.Expected, ledger.Latest.Asked, ledger.Latest.InFlight));

        ledger.Failed(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A2));
        ledger.Answered(Tracker(tiers, A2)); // A3 will not be asked
        var now = ledger.Latest;
        Assert.Equal((4, 3, 1, 1, 1), (now.Expected, now.Asked, now.Answered, now.Failed, now.InFlight));
        Assert.Equal((A2, TrackerAskState.Answered), (now.LastFinished!.Url, now.LastFinished.State));
        Assert.Equal([TrackerAskState.Failed, TrackerAskState.Answered, TrackerAskState.NotAsked, TrackerAskState.Asking, TrackerAskState.Waiting], now.Trackers.Select(t => t.State));

        ledger.Answered(Tracker(tiers, B1));
        ledger.Complete();
        var done = ledger.Latest;
        Assert.True(done.IsComplete);
        Assert.Equal((3, 2, 1, 3), (done.Expected, done.Answered, done.Failed, done.Finished));
        Assert.Equal(TrackerAskState.NotAsked, done.Trackers[^1].State);
        Assert.Equal(TimeSpan.Zero, done.TimeRemaining);
    }

    [Fact]
    public void A_tracker_called_off_after_it_was_asked_still_counts_as_asked_but_not_as_expected()
    {
        var time = new FakeTimeProvider();
        var (ledger, tiers, _) = Discovery(Options(time), [A1, A2]);
        ledger.Entered(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A2)); // A1 silent for the stagger: A2 asked as well
        ledger.Answered(Tracker(tiers, A2));

        Assert.Equal((1, 2, 1, 0), (ledger.Latest.Expected, ledger.Latest.Asked, ledger.Latest.Answered, ledger.Latest.InFlight));
        Assert.Equal(TrackerAskState.CalledOff, ledger.Latest.Trackers[0].State);
    }

    [Fact]
    public void Discovery_time_remaining_follows_the_timeouts_and_the_stagger_within_a_tier()
    {
        var time = new FakeTimeProvider();
        var (ledger, tiers, _) = Discovery(Options(time, timeoutSec: 10, staggerSec: 2, overallSec: 60), [A1, A2, A3]);

        // Not begun: the last tracker is asked two staggers in at the latest, then has its 10 s.
        Assert.Equal(14, Seconds(ledger.Latest));
        ledger.Entered(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A1));
        Assert.Equal(14, Seconds(ledger.Latest));

        time.Advance(TimeSpan.FromSeconds(2)); // A1 silent for the stagger: A2 asked too
        ledger.Asking(Tracker(tiers, A2));
        Assert.Equal(12, Seconds(ledger.Latest)); // A3 by 4 s at the latest, its answer by 14 s

        time.Advance(TimeSpan.FromSeconds(1)); // A1 fails: A3 asked at once
        ledger.Failed(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A3));
        Assert.Equal(10, Seconds(ledger.Latest)); // A3's answer by 13 s

        time.Advance(TimeSpan.FromSeconds(1));
        ledger.Answered(Tracker(tiers, A3));
        Assert.Equal(0, Seconds(ledger.Latest)); // the tier has its answer: nothing left to wait for
    }

    [Fact]
    public void The_overall_deadline_caps_the_time_remaining()
    {
        var time = new FakeTimeProvider();
        var (ledger, _, _) = Discovery(Options(time, timeoutSec: 10, staggerSec: 5, overallSec: 12), [A1, A2, A3]);

        Assert.Equal(12, Seconds(ledger.Latest)); // 20 s by the schedule, but everything ends at the deadline
        Assert.Equal(ledger.Latest.At + TimeSpan.FromSeconds(12), ledger.Latest.Deadline);
        time.Advance(TimeSpan.FromSeconds(5));
        ledger.PeerFound();
        Assert.Equal(7, Seconds(ledger.Latest));
    }

    [Fact]
    public void With_more_open_tiers_than_slots_a_waiting_tier_takes_the_first_slot_that_frees()
    {
        var time = new FakeTimeProvider();
        var (ledger, tiers, _) = Discovery(Options(time, timeoutSec: 10, concurrency: 2, overallSec: 60), [A1], [A2], [A3]);
        Assert.Equal(20, Seconds(ledger.Latest)); // two at once, the third after them

        foreach (var url in new[] { A1, A2 })
        {
            ledger.Entered(Tracker(tiers, url));
            ledger.Asking(Tracker(tiers, url));
        }

        time.Advance(TimeSpan.FromSeconds(4));
        ledger.PeerFound();
        Assert.Equal(16, Seconds(ledger.Latest));

        time.Advance(TimeSpan.FromSeconds(1)); // A2 answers at 5 s: A3 takes its slot
        ledger.Answered(Tracker(tiers, A2));
        ledger.Entered(Tracker(tiers, A3));
        ledger.Asking(Tracker(tiers, A3));
        Assert.Equal(10, Seconds(ledger.Latest));
    }

    [Fact]
    public void Only_the_capped_trackers_are_counted_and_the_rest_are_not_contacted()
    {
        var time = new FakeTimeProvider();
        var (ledger, _, _) = Discovery(Options(time) with { MaxTrackers = 3 }, [A1, A2], [A3, B1], [B2]);

        Assert.Equal((3, 2), (ledger.Latest.Expected, ledger.Latest.NotContacted));
        Assert.Equal([A1, A2, A3], ledger.Latest.Trackers.Select(t => t.Url));
    }

    [Fact]
    public void Blank_and_repeated_trackers_are_counted_once()
    {
        var (ledger, _, _) = Discovery(Options(new FakeTimeProvider()), [A1, " ", A1], [A1], []);

        Assert.Equal(1, ledger.Latest.Expected);
    }

    [Fact]
    public void Status_counts_every_tracker_each_taking_a_scrape_and_perhaps_an_announce()
    {
        var time = new FakeTimeProvider();
        var options = Options(time, timeoutSec: 10, overallSec: 60);
        var list = new TrackerTierList([[A1, A2], [B1]], shuffle: false);
        var ledger = TrackerBatchLedger.ForStatus(TrackerTestData.InfoHash, list.All, 0, options, null);
        Assert.Equal((3, 20), (ledger.Latest.Expected, Seconds(ledger.Latest)));

        foreach (var tracker in list.All)
        {
            ledger.Entered(tracker);
            ledger.Asking(tracker);
        }

        ledger.Answered(list.All[0]); // a tracker's answer leaves the others of its tier alone here
        time.Advance(TimeSpan.FromSeconds(5));
        ledger.Failed(list.All[1]);

        Assert.Equal((3, 1, 1, 1), (ledger.Latest.Expected, ledger.Latest.Answered, ledger.Latest.Failed, ledger.Latest.InFlight));
        Assert.Equal(15, Seconds(ledger.Latest));
    }

    [Fact]
    public void Every_step_is_published_in_order_and_the_channel_completes_with_the_last()
    {
        var time = new FakeTimeProvider();
        var (ledger, tiers, channel) = Discovery(Options(time), [A1], [B1]);
        ledger.Entered(Tracker(tiers, A1));
        ledger.Asking(Tracker(tiers, A1));
        ledger.Answered(Tracker(tiers, A1));
        ledger.PeerFound();
        ledger.Complete();
        ledger.Answered(Tracker(tiers, B1)); // after the end: ignored

        var published = new List<TrackerBatchProgress>();
        while (channel.Reader.TryRead(out var progress))
        {
            published.Add(progress);
        }

        Assert.True(channel.Reader.Completion.IsCompleted);
        Assert.Equal([0, 0, 0, 1, 1, 1], published.Select(p => p.Answered));
        Assert.Equal([0, 0, 1, 1, 1, 1], published.Select(p => p.Asked));
        Assert.Equal([0, 0, 0, 0, 1, 1], published.Select(p => p.Peers));
        Assert.Equal([false, false, false, false, false, true], published.Select(p => p.IsComplete));
        Assert.Same(ledger.Latest, published[^1]);
        Assert.Equal(1, published[^1].Expected); // B1, never asked, left the count
    }
}
