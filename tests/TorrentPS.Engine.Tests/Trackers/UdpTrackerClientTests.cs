using System.Buffers.Binary;
using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class UdpTrackerClientTests
{
    private static readonly IPEndPoint Peer1 = IPEndPoint.Parse("10.0.0.1:6881");
    private static readonly IPEndPoint Peer2 = IPEndPoint.Parse("10.0.0.2:6882");

    [Fact]
    public async Task Connects_then_announces_with_the_BEP15_layout()
    {
        await using var tracker = new FakeUdpTracker(request => FakeUdpTracker.WellBehaved(request, Peer1, Peer2));
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions());

        var response = await client.AnnounceAsync(TrackerTestData.Request(TrackerEvent.Started, left: 16384), CancellationToken.None);

        Assert.Equal([Peer1, Peer2], response.Peers);
        Assert.Equal(5, response.Seeders);
        Assert.Equal(3, response.Leechers);
        Assert.Equal(TimeSpan.FromSeconds(1800), response.Interval);

        var packets = tracker.Received.Select(r => r.Datagram).ToArray();
        Assert.Equal(2, packets.Length);
        Assert.Equal(16, packets[0].Length);
        Assert.Equal(0x41727101980, FakeUdpTracker.ConnectionId(packets[0]));
        Assert.Equal(0, FakeUdpTracker.Action(packets[0]));

        var announce = packets[1];
        Assert.Equal(98, announce.Length);
        Assert.Equal(0x1122334455667788, FakeUdpTracker.ConnectionId(announce));
        Assert.Equal(1, FakeUdpTracker.Action(announce));
        Assert.Equal(TrackerTestData.InfoHash.ToArray(), announce[16..36]);
        Assert.Equal(TrackerTestData.PeerId.ToArray(), announce[36..56]);
        Assert.Equal(20, BinaryPrimitives.ReadInt64BigEndian(announce.AsSpan(56)));
        Assert.Equal(16384, BinaryPrimitives.ReadInt64BigEndian(announce.AsSpan(64)));
        Assert.Equal(10, BinaryPrimitives.ReadInt64BigEndian(announce.AsSpan(72)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(80)));
        Assert.Equal(0xdeadbeefu, BinaryPrimitives.ReadUInt32BigEndian(announce.AsSpan(88)));
        Assert.Equal(50, BinaryPrimitives.ReadInt32BigEndian(announce.AsSpan(92)));
        Assert.Equal(51413, BinaryPrimitives.ReadUInt16BigEndian(announce.AsSpan(96)));
    }

    [Fact]
    public async Task Transaction_ids_are_random_per_request()
    {
        await using var tracker = new FakeUdpTracker(request => FakeUdpTracker.WellBehaved(request));
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions());

        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);
        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        var ids = tracker.Received.Select(r => FakeUdpTracker.TransactionId(r.Datagram)).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public async Task Connection_id_is_reused_within_its_lifetime()
    {
        await using var tracker = new FakeUdpTracker(request => FakeUdpTracker.WellBehaved(request));
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions());

        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);
        await client.ScrapeAsync(TrackerTestData.InfoHash, CancellationToken.None);
        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        Assert.Equal([0, 1, 2, 1], tracker.Received.Select(r => FakeUdpTracker.Action(r.Datagram)));
    }

    [Fact]
    public async Task Connection_id_is_renewed_once_it_expires()
    {
        await using var tracker = new FakeUdpTracker(request => FakeUdpTracker.WellBehaved(request));
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions() with { UdpConnectionIdLifetime = TimeSpan.Zero });

        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);
        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        Assert.Equal([0, 1, 0, 1], tracker.Received.Select(r => FakeUdpTracker.Action(r.Datagram)));
    }

    [Fact]
    public async Task Scrape_reads_seeders_leechers_and_completed()
    {
        await using var tracker = new FakeUdpTracker(request => FakeUdpTracker.WellBehaved(request));
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions());

        var counts = await client.ScrapeAsync(TrackerTestData.InfoHash, CancellationToken.None);

        Assert.Equal(new ScrapeResponse(5, 3, 9), counts);
        var scrape = tracker.Received.Last().Datagram;
        Assert.Equal(36, scrape.Length);
        Assert.Equal(TrackerTestData.InfoHash.ToArray(), scrape[16..36]);
    }

    [Fact]
    public async Task Error_action_becomes_TrackerFailed_with_the_trackers_message()
    {
        await using var tracker = new FakeUdpTracker(request => FakeUdpTracker.Action(request) == 0
            ? FakeUdpTracker.WellBehaved(request)
            : [FakeUdpTracker.ErrorResponse(FakeUdpTracker.TransactionId(request), "info hash not whitelisted")]);
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions());

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Equal("info hash not whitelisted", error.Reason);
        Assert.Contains(tracker.AnnounceUrl, error.Message);

        // After an error the connection id is not trusted: the next request connects again.
        await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));
        Assert.Equal([0, 1, 0, 1], tracker.Received.Select(r => FakeUdpTracker.Action(r.Datagram)));
    }

    [Fact]
    public async Task Retransmits_with_exponential_backoff()
    {
        var connects = 0;
        await using var tracker = new FakeUdpTracker(request =>
            FakeUdpTracker.Action(request) == 0 && Interlocked.Increment(ref connects) <= 3 ? [] : FakeUdpTracker.WellBehaved(request, Peer1));
        var options = TrackerTestData.FastOptions() with { UdpRetransmitBase = TimeSpan.FromMilliseconds(60), UdpMaxRetransmits = 4 };
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Sends are recorded on the client's thread, and a late retransmission may still come while this test reads them.
        var recorded = new System.Collections.Concurrent.ConcurrentQueue<(int Attempt, TimeSpan At)>();
        client.DatagramSent += attempt => recorded.Enqueue((attempt, clock.Elapsed));

        var response = await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);
        var sends = recorded.ToArray();

        Assert.Equal([Peer1], response.Peers);
        // Three connects go unanswered; the fourth is answered (a slow machine may add a late retransmission after it).
        Assert.True(tracker.Received.Count(r => FakeUdpTracker.Action(r.Datagram) == 0) >= 4);
        Assert.Equal([0, 1, 2, 3], sends.Take(4).Select(s => s.Attempt));
        var connectTimes = sends.Take(4).Select(s => s.At).ToArray();
        // A retransmission is the same request: it keeps its transaction id, so a late answer to an earlier send still counts.
        Assert.Single(tracker.Received.Where(r => FakeUdpTracker.Action(r.Datagram) == 0).Select(r => FakeUdpTracker.TransactionId(r.Datagram)).Distinct());

        // Waits of 60 × 2^n ms: 60, 120, 240. Each gap is at least its own delay (a fixed delay would fail the third);
        // a loaded machine may stretch a gap, never shorten it. The delay's timer runs on the runtime's coarse tick
        // (4 ms steps on Linux), so it may fire up to two steps before the Stopwatch says (seen: 234.3 ms for 240).
        var gaps = connectTimes.Zip(connectTimes.Skip(1), (a, b) => b - a).ToArray();
        int[] expectedMilliseconds = [60, 120, 240];
        for (var n = 0; n < gaps.Length; n++)
        {
            Assert.True(gaps[n].TotalMilliseconds >= expectedMilliseconds[n] - 10, $"gap {n} was {gaps[n].TotalMilliseconds} ms, expected {expectedMilliseconds[n]}");
        }

        Assert.True(gaps.Sum(g => g.TotalMilliseconds) < 5000, $"gaps {string.Join(", ", gaps.Select(g => g.TotalMilliseconds))} ms are far longer than the schedule");
    }

    [Fact]
    public async Task No_answer_times_out_after_the_last_retransmission()
    {
        await using var tracker = new FakeUdpTracker(_ => []);
        var options = TrackerTestData.FastOptions() with { UdpRetransmitBase = TimeSpan.FromMilliseconds(20), UdpMaxRetransmits = 2 };
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, options);

        var error = await Assert.ThrowsAsync<TrackerTimeoutException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Equal("TrackerTimeout", error.ErrorId);
        Assert.Equal(3, tracker.Received.Count);
        Assert.Equal(3, client.DatagramsSent);
    }

    [Fact]
    public async Task Overall_timeout_cuts_retransmission_short()
    {
        await using var tracker = new FakeUdpTracker(_ => []);
        var options = TrackerTestData.FastOptions(TimeSpan.FromMilliseconds(250)) with { UdpRetransmitBase = TimeSpan.FromSeconds(15) };
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, options);
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<TrackerTimeoutException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Stray_truncated_and_mismatched_datagrams_are_ignored()
    {
        await using var tracker = new FakeUdpTracker(request =>
        {
            var id = FakeUdpTracker.TransactionId(request);
            if (FakeUdpTracker.Action(request) == 0)
            {
                return
                [
                    FakeUdpTracker.ConnectResponse(id + 1, 1),              // someone else's transaction
                    FakeUdpTracker.ConnectResponse(id, 2)[..12],             // truncated
                    [1, 2, 3],                                                // too short for a header
                    FakeUdpTracker.AnnounceResponse(id, 60, 0, 0),           // wrong action
                    FakeUdpTracker.ConnectResponse(id, 0x0102030405060708),  // the answer
                ];
            }

            var announce = FakeUdpTracker.AnnounceResponse(id, 60, 1, 2, Peer1, Peer2);
            return
            [
                FakeUdpTracker.ErrorResponse(id ^ 0x5555, "not for you"),   // an error of another transaction
                announce[..19],                                               // truncated header
                FakeUdpTracker.AnnounceResponse(id - 1, 60, 9, 9, Peer2),    // stale transaction
                announce[..^3],                                               // a partial last peer: kept whole ones only
            ];
        });
        using var client = new UdpTrackerClient(tracker.AnnounceUrl, TrackerTestData.FastOptions());

        var response = await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        Assert.Equal([Peer1], response.Peers);
        Assert.Equal(2, response.Seeders);
        Assert.Equal(0x0102030405060708, FakeUdpTracker.ConnectionId(tracker.Received.Last().Datagram));
    }

    [Fact]
    public async Task Closed_port_is_a_refusal_not_a_timeout()
    {
        int port;
        using (var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        using var client = new UdpTrackerClient($"udp://127.0.0.1:{port}/announce", TrackerTestData.FastOptions(TimeSpan.FromSeconds(10)));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"the refusal took {started.Elapsed}: it waited for the timeout");
    }

    [Theory]
    [InlineData("udp://127.0.0.1/announce")]
    [InlineData("udp:///announce")]
    public void Url_without_host_or_port_is_unsupported(string url)
        => Assert.Equal("UnsupportedTracker", Assert.Throws<UnsupportedTrackerException>(() => new UdpTrackerClient(url)).ErrorId);
}
