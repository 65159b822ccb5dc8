using System.Net;
using System.Text;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class TrackerPeerDiscoveryTests
{
    private static string HttpBody(params string[] endPoints)
    {
        var peers = Encoding.Latin1.GetString(CompactPeers.Write(endPoints.Select(IPEndPoint.Parse), 6));
        return $"d8:intervali900e5:peers{peers.Length}:{peers}e";
    }

    private static PeerDiscoveryTarget Target(params IReadOnlyList<string>[] tiers)
        => new() { InfoHash = TrackerTestData.InfoHash, TrackerTiers = tiers, Left = 1000 };

    private static async Task<List<TrackerDiscoveryEvent>> CollectAsync(PeerDiscoveryTarget target, TrackerDiscoveryOptions? options = null, TrackerTierList? tiers = null)
    {
        var events = new List<TrackerDiscoveryEvent>();
        options ??= TrackerTestData.DiscoveryOptions();
        var stream = tiers is null
            ? TrackerPeerDiscovery.DiscoverAsync(target, options)
            : TrackerPeerDiscovery.DiscoverAsync(target, tiers, options);
        await foreach (var found in stream)
        {
            events.Add(found);
        }

        return events;
    }

    private static string[] Peers(IEnumerable<TrackerDiscoveryEvent> events)
        => events.Where(e => e.Kind == TrackerDiscoveryEventKind.Peer).Select(e => e.Peer!.EndPointText).Order().ToArray();

    [Fact]
    public async Task Peers_from_every_tier_are_reported_once_each()
    {
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1", "10.0.0.2:2")));
        await using var udp = new FakeUdpTracker(r => FakeUdpTracker.WellBehaved(r, IPEndPoint.Parse("10.0.0.2:2"), IPEndPoint.Parse("10.0.0.3:3")));

        var events = await CollectAsync(Target([http.AnnounceUrl], [udp.AnnounceUrl]));

        Assert.Equal(["10.0.0.1:1", "10.0.0.2:2", "10.0.0.3:3"], Peers(events));
        Assert.All(events.Where(e => e.Kind == TrackerDiscoveryEventKind.Peer), e =>
        {
            Assert.Equal(PeerSource.Tracker, e.Peer!.Source);
            Assert.Equal(TrackerTestData.InfoHash, e.Peer.Hash);
            Assert.Contains(e.Peer.Tracker, new[] { http.AnnounceUrl, udp.AnnounceUrl });
        });
        Assert.Equal(2, events.Count(e => e.Kind == TrackerDiscoveryEventKind.Answered));
    }

    [Fact]
    public async Task A_failing_tracker_is_reported_and_the_next_in_its_tier_is_asked_and_promoted()
    {
        await using var failing = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d14:failure reason7:go awaye"));
        await using var working = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.9:9")));
        var target = Target([failing.AnnounceUrl, working.AnnounceUrl]);
        var tiers = new TrackerTierList(target.TrackerTiers, shuffle: false);

        var events = await CollectAsync(target, tiers: tiers);

        var failure = Assert.Single(events, e => e.Kind == TrackerDiscoveryEventKind.Failed);
        Assert.Equal(failing.AnnounceUrl, failure.TrackerUrl);
        Assert.Equal("TrackerFailed", failure.Error!.ErrorId);
        Assert.Equal(["10.0.0.9:9"], Peers(events));
        Assert.Equal(working.AnnounceUrl, tiers.GetTier(0)[0].Url);
        Assert.Equal(TrackerStatusKind.Failed, tiers.GetTier(0)[1].Snapshot(target.InfoHash).Status);
        Assert.Equal("go away", tiers.GetTier(0)[1].Snapshot(target.InfoHash).LastError);
    }

    [Fact]
    public async Task Within_a_tier_trackers_after_the_one_that_answered_are_not_asked()
    {
        await using var first = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        await using var second = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.2:2")));
        var target = Target([first.AnnounceUrl, second.AnnounceUrl]);

        var events = await CollectAsync(target, tiers: new TrackerTierList(target.TrackerTiers, shuffle: false));

        Assert.Equal(["10.0.0.1:1"], Peers(events));
        Assert.Empty(second.Requests);
    }

    [Fact]
    public async Task Failures_do_not_stop_other_tiers()
    {
        await using var failing = new FakeHttpTracker(_ => new FakeHttpResponse(500, []));
        await using var working = new FakeUdpTracker(r => FakeUdpTracker.WellBehaved(r, IPEndPoint.Parse("10.0.0.5:5")));

        var events = await CollectAsync(Target([failing.AnnounceUrl], ["wss://tracker.example/announce"], [working.AnnounceUrl]));

        Assert.Equal(["10.0.0.5:5"], Peers(events));
        var errors = events.Where(e => e.Kind == TrackerDiscoveryEventKind.Failed).ToDictionary(e => e.TrackerUrl!, e => e.Error!.ErrorId);
        Assert.Equal("TrackerFailed", errors[failing.AnnounceUrl]);
        Assert.Equal("UnsupportedTracker", errors["wss://tracker.example/announce"]);
    }

    [Fact]
    public async Task Silent_trackers_are_reported_as_TrackerTimeout()
    {
        await using var silentUdp = new FakeUdpTracker(_ => []);
        await using var silentHttp = new FakeHttpTracker(_ => FakeHttpResponse.Silent());

        var events = await CollectAsync(Target([silentUdp.AnnounceUrl], [silentHttp.AnnounceUrl]), TrackerTestData.DiscoveryOptions(TimeSpan.FromMilliseconds(300)));

        Assert.Empty(Peers(events));
        Assert.All(events, e => Assert.Equal((TrackerDiscoveryEventKind.Failed, "TrackerTimeout"), (e.Kind, e.Error!.ErrorId)));
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task Our_own_endpoint_is_never_reported()
    {
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("127.0.0.1:6881", "10.0.0.1:1", "10.0.0.7:7")));
        var options = TrackerTestData.DiscoveryOptions() with { OwnEndPoints = [IPEndPoint.Parse("10.0.0.7:7")] };
        var local = TrackerTestData.DiscoveryOptions() with { Tracker = TrackerTestData.FastOptions() with { LocalAddress = IPAddress.Loopback } };

        Assert.Equal(["10.0.0.1:1", "127.0.0.1:6881"], Peers(await CollectAsync(Target([http.AnnounceUrl]), options)));
        Assert.Equal(["10.0.0.1:1", "10.0.0.7:7"], Peers(await CollectAsync(Target([http.AnnounceUrl]), local)));
    }

    [Fact]
    public async Task Warning_messages_are_surfaced_and_peers_still_come()
    {
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d8:intervali60e5:peers6:\u000a\u0000\u0000\u0001\u001a\u00e115:warning message9:be nice!!e"));

        var events = await CollectAsync(Target([http.AnnounceUrl]));

        Assert.Equal("be nice!!", Assert.Single(events, e => e.Kind == TrackerDiscoveryEventKind.Warning).Warning);
        Assert.Equal(["10.0.0.1:6881"], Peers(events));
    }

    [Fact]
    public async Task Magnet_link_peers_come_first_and_its_trackers_each_get_a_tier()
    {
        await using var a = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1", "10.9.9.9:99")));
        await using var b = new FakeUdpTracker(r => FakeUdpTracker.WellBehaved(r, IPEndPoint.Parse("10.0.0.2:2")));
        var magnet = MagnetLink.Parse($"magnet:?xt=urn:btih:{TrackerTestData.InfoHash.Hex}&tr={Uri.EscapeDataString(a.AnnounceUrl)}&tr={Uri.EscapeDataString(b.AnnounceUrl)}&x.pe=10.9.9.9:99&x.pe=not-an-address");
        var target = PeerDiscoveryTarget.FromMagnet(magnet);

        var events = await CollectAsync(target);

        Assert.Equal(2, target.TrackerTiers.Count);
        Assert.Equal(AnnounceRequest.UnknownLengthPlaceholder, target.Left);
        // Our started announce, then (a one-off discovery) our stopped one.
        Assert.Equal([("started", "16384"), ("stopped", "16384")], a.Requests.Select(r => (FakeHttpTracker.Query(r, "event"), FakeHttpTracker.Query(r, "left"))));
        var first = events[0];
        Assert.Equal((PeerSource.Magnet, "10.9.9.9:99"), (first.Peer!.Source, first.Peer.EndPointText));
        Assert.Equal(["10.0.0.1:1", "10.0.0.2:2", "10.9.9.9:99"], Peers(events));
    }

    [Fact]
    public void Only_the_given_trackers_are_used_when_the_user_names_them()
    {
        var target = Target(["udp://a/announce", "udp://b/announce"]).WithTrackers(["http://x/announce", "http://x/announce", "udp://y:1/announce"]);

        Assert.Equal([["http://x/announce"], ["udp://y:1/announce"]], target.TrackerTiers.Select(t => t.ToArray()));
    }

    [Fact]
    public async Task Stopping_early_ends_the_tracker_requests()
    {
        await using var slow = new FakeHttpTracker(_ => FakeHttpResponse.Silent());
        await using var fast = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(60));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(Target([slow.AnnounceUrl], [fast.AnnounceUrl]), options))
        {
            if (found.Kind == TrackerDiscoveryEventKind.Peer)
            {
                break;
            }
        }

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    public void Torrent_target_announces_its_whole_length_as_left()
    {
        var torrent = TorrentInfo.Parse(Encoding.Latin1.GetBytes(
            "d8:announce18:udp://t:1/announce4:infod6:lengthi12345e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"));

        var target = PeerDiscoveryTarget.FromTorrent(torrent);

        Assert.Equal(12345, target.Left);
        Assert.Equal([["udp://t:1/announce"]], target.TrackerTiers.Select(t => t.ToArray()));
    }
}
