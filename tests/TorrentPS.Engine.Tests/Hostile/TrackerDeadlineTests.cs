using System.Diagnostics;
using System.Net;
using System.Text;
using TorrentPS.Engine.Tests.Trackers;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// However many trackers a torrent lists and however silent they are, discovery contacts a bounded number, ends by an
/// overall deadline, and a good tracker answers without waiting out the timeouts of silent ones listed before it.
/// </summary>
public sealed class TrackerDeadlineTests
{
    private static PeerDiscoveryTarget Target(params IReadOnlyList<string>[] tiers)
        => new() { InfoHash = TrackerTestData.InfoHash, TrackerTiers = tiers, Left = 1000 };

    /// <summary>Distinct URLs that all reach <paramref name="tracker"/>: to the engine, as many trackers.</summary>
    private static string[] Urls(FakeUdpTracker tracker, int count)
        => Enumerable.Range(0, count).Select(i => $"{tracker.AnnounceUrl}?n={i}").ToArray();

    /// <summary>How many trackers were contacted: each client's first connect request has a transaction id of its own.</summary>
    private static int Contacted(FakeUdpTracker tracker)
        => tracker.Received.Where(r => FakeUdpTracker.Action(r.Datagram) == 0).Select(r => FakeUdpTracker.TransactionId(r.Datagram)).Distinct().Count();

    private static async Task<(List<TrackerDiscoveryEvent> Events, TimeSpan Elapsed)> DiscoverAsync(PeerDiscoveryTarget target, TrackerDiscoveryOptions options, TrackerTierList? tiers = null)
    {
        var events = new List<TrackerDiscoveryEvent>();
        var clock = Stopwatch.StartNew();
        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(target, tiers ?? new TrackerTierList(target.TrackerTiers, shuffle: false), options))
        {
            events.Add(found);
        }

        return (events, clock.Elapsed);
    }

    [Fact]
    public async Task A_good_tracker_answers_without_waiting_behind_silent_ones_in_its_tier()
    {
        await using var silent = new FakeUdpTracker(_ => []);
        await using var good = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        var target = Target([.. Urls(silent, 6), good.AnnounceUrl]);
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        TimeSpan? firstPeer = null;

        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(target, new TrackerTierList(target.TrackerTiers, shuffle: false), options))
        {
            if (found.Kind == TrackerDiscoveryEventKind.Peer)
            {
                firstPeer = clock.Elapsed;
                break;
            }
        }

        // One after another, each silent tracker's 2 s timeout in turn: 12 s. Staggered (400 ms each): about 2.4 s.
        Assert.NotNull(firstPeer);
        Assert.True(firstPeer < TimeSpan.FromSeconds(6), $"the good tracker's peer came after {firstPeer}");
    }

    [Fact]
    public async Task The_first_answer_of_a_tier_calls_off_the_others_unreported()
    {
        await using var silent = new FakeUdpTracker(_ => []);
        await using var good = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        var target = Target([.. Urls(silent, 2), good.AnnounceUrl]);
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(30)) with { TierStagger = TimeSpan.FromMilliseconds(50) };

        var (events, elapsed) = await DiscoverAsync(target, options);

        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed}");
        Assert.DoesNotContain(events, e => e.Kind == TrackerDiscoveryEventKind.Failed);
        Assert.Equal(good.AnnounceUrl, Assert.Single(events, e => e.Kind == TrackerDiscoveryEventKind.Answered).TrackerUrl);
    }

    [Fact]
    public async Task A_thousand_silent_trackers_in_one_tier_end_by_the_overall_deadline_and_only_the_cap_is_contacted()
    {
        await using var silent = new FakeUdpTracker(_ => []);
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(30)) with
        {
            MaxTrackers = 5,
            TierStagger = TimeSpan.FromMilliseconds(10),

            // Long enough that all five are asked even when a loaded machine delays the stagger's timers (seen once in a
            // fresh-clone run: three asked within 1 s).
            OverallTimeout = TimeSpan.FromSeconds(3),
        };

        var (events, elapsed) = await DiscoverAsync(Target(Urls(silent, 1_000)), options);

        Assert.True(elapsed < TimeSpan.FromSeconds(8), $"took {elapsed}");
        // Five asked (each reported timed out), never more; the fake may not have read every datagram yet on a busy machine.
        Assert.Equal(5, events.Count);
        Assert.InRange(Contacted(silent), 1, 5);
        Assert.All(events, e => Assert.Equal((TrackerDiscoveryEventKind.Failed, "TrackerTimeout"), (e.Kind, e.Error!.ErrorId)));
    }

    [Fact]
    public async Task A_thousand_tiers_of_silent_trackers_are_capped_and_bounded_in_time_too()
    {
        await using var silent = new FakeUdpTracker(_ => []);
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(30)) with { MaxTrackers = 20, OverallTimeout = TimeSpan.FromSeconds(1) };

        var (_, elapsed) = await DiscoverAsync(Target([.. Urls(silent, 1_000).Select(u => (IReadOnlyList<string>)[u])]), options);

        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
        Assert.InRange(Contacted(silent), 1, 20);
    }

    [Fact]
    public void The_default_deadline_and_stagger_follow_the_per_tracker_timeout()
    {
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(15));

        Assert.Equal(TimeSpan.FromSeconds(30), options.EffectiveOverallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.EffectiveTierStagger);
        Assert.Equal(TimeSpan.FromMilliseconds(400), TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(2)).EffectiveTierStagger);
        Assert.Equal(50, options.MaxTrackers);
    }

    [Fact]
    public async Task Status_of_a_torrent_with_many_trackers_contacts_the_cap_and_reports_the_rest_not_contacted()
    {
        await using var silent = new FakeUdpTracker(_ => []);
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(30)) with { MaxTrackers = 3, OverallTimeout = TimeSpan.FromSeconds(1) };
        var target = Target(Urls(silent, 100));
        var statuses = new List<TrackerStatus>();
        var clock = Stopwatch.StartNew();

        await foreach (var status in TrackerStatusQuery.QueryAsync(target, options))
        {
            statuses.Add(status);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(100, statuses.Count);
        Assert.Equal(3, statuses.Count(s => s.Status == TrackerStatusKind.TimedOut));
        Assert.Equal(97, statuses.Count(s => s.Status == TrackerStatusKind.NotContacted));
        Assert.InRange(Contacted(silent), 1, 3);
    }

    private static string HttpBody(params string[] endPoints)
    {
        var peers = Encoding.Latin1.GetString(CompactPeers.Write(endPoints.Select(IPEndPoint.Parse), 6));
        return $"d8:intervali900e5:peers{peers.Length}:{peers}e";
    }
}
