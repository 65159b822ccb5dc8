using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

/// <summary>
/// A one-off discovery (<c>Get-TorrentPeer</c>, <c>tps peers</c>) leaves no phantom peer behind: every tracker that
/// answered our <c>started</c> hears <c>stopped</c> before the discovery ends, however it ends.
/// </summary>
public sealed class OneOffDiscoveryTests
{
    private static PeerDiscoveryTarget Target(params IReadOnlyList<string>[] tiers)
        => new() { InfoHash = TrackerTestData.InfoHash, TrackerTiers = tiers, Left = 1000 };

    private static string HttpBody(params string[] endPoints)
    {
        var peers = Encoding.Latin1.GetString(CompactPeers.Write(endPoints.Select(IPEndPoint.Parse), 6));
        return $"d8:intervali900e5:peers{peers.Length}:{peers}e";
    }

    /// <summary>The HTTP tracker's announces as (event, peer_id, port, key, numwant).</summary>
    private static (string? Event, string? PeerId, string? Port, string? Key, string? NumWant)[] HttpAnnounces(FakeHttpTracker tracker)
        => tracker.Requests.Select(r => (FakeHttpTracker.Query(r, "event"), FakeHttpTracker.Query(r, "peer_id"), FakeHttpTracker.Query(r, "port"), FakeHttpTracker.Query(r, "key"), FakeHttpTracker.Query(r, "numwant"))).ToArray();

    /// <summary>The UDP tracker's announces (BEP 15) as (event, port, key, connection id).</summary>
    private static (int Event, int Port, uint Key, long ConnectionId)[] UdpAnnounces(FakeUdpTracker tracker)
        => tracker.Received.Select(r => r.Datagram)
            .Where(d => FakeUdpTracker.Action(d) == UdpTrackerProtocol.ActionAnnounce)
            .Select(d => (BinaryPrimitives.ReadInt32BigEndian(d.AsSpan(80)), (int)BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(96)), BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(88)), FakeUdpTracker.ConnectionId(d)))
            .ToArray();

    private static async Task<List<TrackerDiscoveryEvent>> DiscoverAsync(PeerDiscoveryTarget target, TrackerDiscoveryOptions options, TestLoggerFactory? logger = null)
    {
        var events = new List<TrackerDiscoveryEvent>();
        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(target, new TrackerTierList(target.TrackerTiers, shuffle: false), options, logger))
        {
            events.Add(found);
        }

        return events;
    }

    [Fact]
    public async Task Every_tracker_that_answered_started_hears_stopped_from_the_same_peer_before_discovery_ends()
    {
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        await using var udp = new FakeUdpTracker(r => FakeUdpTracker.WellBehaved(r, IPEndPoint.Parse("10.0.0.2:2")));
        var options = TrackerTestData.DiscoveryOptions() with { Port = 51234 };

        var events = await DiscoverAsync(Target([http.AnnounceUrl], [udp.AnnounceUrl]), options);

        // Read as soon as the discovery ended: nothing is still on its way.
        Assert.Equal(2, events.Count(e => e.Kind == TrackerDiscoveryEventKind.Peer));
        var peerId = Encoding.Latin1.GetString(TrackerTestData.PeerId.AsSpan());
        Assert.Equal([("started", peerId, "51234", "00000007", "200"), ("stopped", peerId, "51234", "00000007", "0")], HttpAnnounces(http));
        var announces = UdpAnnounces(udp);
        Assert.Equal([((int)TrackerEvent.Started, 51234, 7u), ((int)TrackerEvent.Stopped, 51234, 7u)], announces.Select(a => (a.Event, a.Port, a.Key)));
        Assert.Equal(announces[0].ConnectionId, announces[1].ConnectionId); // the same client: no second connect
        Assert.Single(udp.Received, r => FakeUdpTracker.Action(r.Datagram) == UdpTrackerProtocol.ActionConnect);
        Assert.DoesNotContain(events, e => e.Kind == TrackerDiscoveryEventKind.Failed);
    }

    [Fact]
    public async Task A_consumer_that_stops_at_the_first_peer_still_leaves_the_tracker_that_answered()
    {
        await using var silent = new FakeHttpTracker(_ => FakeHttpResponse.Silent());
        await using var fast = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));

        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(Target([silent.AnnounceUrl], [fast.AnnounceUrl]), TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(60))))
        {
            if (found.Kind == TrackerDiscoveryEventKind.Peer)
            {
                break;
            }
        }

        Assert.Equal(["started", "stopped"], HttpAnnounces(fast).Select(a => a.Event));
        Assert.Equal(["started"], HttpAnnounces(silent).Select(a => a.Event)); // never answered: it never listed us
    }

    [Fact]
    public async Task A_tracker_that_failed_is_not_told_stopped_and_the_one_that_answered_after_it_is()
    {
        await using var failing = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d14:failure reason7:go awaye"));
        await using var working = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.9:9")));

        await DiscoverAsync(Target([failing.AnnounceUrl, working.AnnounceUrl]), TrackerTestData.DiscoveryOptions());

        Assert.Equal(["started"], HttpAnnounces(failing).Select(a => a.Event));
        Assert.Equal(["started", "stopped"], HttpAnnounces(working).Select(a => a.Event));
    }

    [Fact]
    public async Task A_stopped_announce_that_is_not_answered_costs_a_short_deadline_and_a_debug_message_not_an_error()
    {
        await using var http = new FakeHttpTracker(r => FakeHttpTracker.Query(r, "event") == "stopped" ? FakeHttpResponse.Silent() : FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        await using var refusing = new FakeUdpTracker(r => FakeUdpTracker.Action(r) == UdpTrackerProtocol.ActionAnnounce && BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(80)) == (int)TrackerEvent.Stopped
            ? [FakeUdpTracker.ErrorResponse(FakeUdpTracker.TransactionId(r), "not now")]
            : FakeUdpTracker.WellBehaved(r, IPEndPoint.Parse("10.0.0.2:2")));
        var logger = new TestLoggerFactory();
        var options = TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(30)) with { StoppedTimeout = TimeSpan.FromMilliseconds(300) };
        var clock = Stopwatch.StartNew();

        var events = await DiscoverAsync(Target([http.AnnounceUrl], [refusing.AnnounceUrl]), options, logger);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(2, events.Count(e => e.Kind == TrackerDiscoveryEventKind.Answered));
        Assert.DoesNotContain(events, e => e.Kind == TrackerDiscoveryEventKind.Failed);
        Assert.Equal(["started", "stopped"], HttpAnnounces(http).Select(a => a.Event));
        var debug = logger.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Debug).Select(e => e.Message).ToArray();
        Assert.Contains(debug, m => m.StartsWith(http.AnnounceUrl + " did not take our 'stopped' announce", StringComparison.Ordinal));
        Assert.Contains(debug, m => m.StartsWith(refusing.AnnounceUrl + " did not take our 'stopped' announce", StringComparison.Ordinal) && m.Contains("not now", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task A_discovery_that_stays_in_the_swarm_sends_no_stopped()
    {
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));

        await DiscoverAsync(Target([http.AnnounceUrl]), TrackerTestData.DiscoveryOptions() with { LeaveAfterwards = false });

        Assert.Equal(["started"], HttpAnnounces(http).Select(a => a.Event));
    }

    [Fact]
    public void The_stopped_deadline_is_short_and_never_longer_than_a_request()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(15)).EffectiveStoppedTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(1)).EffectiveStoppedTimeout);
        Assert.True(TrackerTestData.DiscoveryOptions().LeaveAfterwards);
    }
}
