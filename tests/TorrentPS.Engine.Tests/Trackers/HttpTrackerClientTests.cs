using System.Net;
using System.Text;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class HttpTrackerClientTests
{
    private static string CompactPeers(params string[] endPoints)
        => Encoding.Latin1.GetString(TorrentPS.Engine.Trackers.CompactPeers.Write(endPoints.Select(IPEndPoint.Parse), 6));

    [Fact]
    public async Task Announce_sends_the_BEP3_parameters_and_reads_compact_peers()
    {
        var peers = CompactPeers("10.1.2.3:6881");
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok($"d8:intervali120e5:peers{peers.Length}:{peers}e"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var response = await client.AnnounceAsync(TrackerTestData.Request(TrackerEvent.Started), CancellationToken.None);

        Assert.Equal([IPEndPoint.Parse("10.1.2.3:6881")], response.Peers);
        var target = Assert.Single(tracker.Requests);
        Assert.StartsWith("/announce?", target);
        Assert.Equal(TrackerTestData.InfoHash.ToArray(), FakeHttpTracker.QueryBytes(target, "info_hash"));
        Assert.Equal(TrackerTestData.PeerId.ToArray(), FakeHttpTracker.QueryBytes(target, "peer_id"));
        Assert.Equal("started", FakeHttpTracker.Query(target, "event"));
        Assert.Equal("1", FakeHttpTracker.Query(target, "compact"));
    }

    [Fact]
    public async Task Dictionary_peers_and_ipv6_peers_are_read_together()
    {
        var peers6 = Encoding.Latin1.GetString(TorrentPS.Engine.Trackers.CompactPeers.Write([IPEndPoint.Parse("[2001:db8::5]:7000")], 18));
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok(
            $"d8:intervali60e5:peersld2:ip8:10.0.0.14:porti6881eee6:peers6{peers6.Length}:{peers6}e"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var response = await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881"), IPEndPoint.Parse("[2001:db8::5]:7000")], response.Peers);
    }

    [Fact]
    public async Task Warning_message_comes_back_with_the_peers()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d8:intervali60e5:peers0:15:warning message7:old keye"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        Assert.Equal("old key", (await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None)).WarningMessage);
    }

    [Fact]
    public async Task Malformed_body_becomes_TrackerFailed()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok("<html><body>502 Bad Gateway</body></html>"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Contains("malformed", error.Reason);
    }

    [Fact]
    public async Task Tracker_id_is_echoed_on_the_next_announce()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d8:intervali120e5:peers0:10:tracker id5:xyz42e"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);
        await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        var requests = tracker.Requests.ToArray();
        Assert.Null(FakeHttpTracker.Query(requests[0], "trackerid"));
        Assert.Equal("xyz42", FakeHttpTracker.Query(requests[1], "trackerid"));
    }

    [Fact]
    public async Task Failure_reason_becomes_TrackerFailed_naming_the_tracker()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d14:failure reason17:torrent not founde"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Equal("torrent not found", error.Reason);
        Assert.Equal(tracker.AnnounceUrl, error.TrackerUrl);
        Assert.Contains(tracker.AnnounceUrl, error.Message);
    }

    [Fact]
    public async Task Http_error_status_becomes_TrackerFailed_with_the_status()
    {
        await using var tracker = new FakeHttpTracker(_ => new FakeHttpResponse(503, "busy"u8.ToArray()));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Contains("503", error.Reason);
    }

    [Fact]
    public async Task Refused_connection_becomes_TrackerFailed()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var client = new HttpTrackerClient($"http://127.0.0.1:{port}/announce", options: TrackerTestData.FastOptions());

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Equal("TrackerFailed", error.ErrorId);
    }

    [Fact]
    public async Task Redirects_are_followed_relative_and_absolute()
    {
        FakeHttpTracker? tracker = null;
        tracker = new FakeHttpTracker(target => target switch
        {
            _ when target.StartsWith("/announce", StringComparison.Ordinal) => FakeHttpResponse.Redirect("/moved" + target["/announce".Length..]),
            _ when target.StartsWith("/moved", StringComparison.Ordinal) => FakeHttpResponse.Redirect(tracker!.BaseUrl + "/final" + target["/moved".Length..]),
            _ => FakeHttpResponse.Ok("d8:intervali60e5:peers6:\u000a\u0000\u0000\u0001\u001a\u00e1e"),
        });
        await using var _ = tracker;
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var response = await client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None);

        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881")], response.Peers);
        var requests = tracker.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        Assert.StartsWith("/final?info_hash=", requests[2]);
    }

    [Fact]
    public async Task Redirect_loop_fails_after_the_bound()
    {
        await using var tracker = new FakeHttpTracker(target => FakeHttpResponse.Redirect(target));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions() with { MaxRedirects = 3 });

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Contains("more than 3 redirects", error.Reason);
        Assert.Equal(4, tracker.Requests.Count);
    }

    [Fact]
    public async Task Oversized_response_is_refused_whether_declared_or_not()
    {
        var big = new byte[10_000];
        await using var declared = new FakeHttpTracker(_ => FakeHttpResponse.Ok(big));
        await using var lying = new FakeHttpTracker(_ => new FakeHttpResponse(200, big, new Dictionary<string, string> { ["Content-Length"] = "5" }));
        var options = TrackerTestData.FastOptions() with { MaxResponseBytes = 4096 };
        using var first = new HttpTrackerClient(declared.AnnounceUrl, options: options);
        using var second = new HttpTrackerClient(lying.AnnounceUrl, options: options);

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => first.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));
        Assert.Contains("limit of 4096 bytes", error.Reason);

        // A lying Content-Length: only the declared 5 bytes are read, which are not a response.
        var lie = await Assert.ThrowsAsync<TrackerFailedException>(() => second.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));
        Assert.Contains("malformed", lie.Reason);
    }

    [Fact]
    public async Task Oversized_body_without_a_length_is_cut_at_the_limit()
    {
        // Content-Length absent: the body runs until the connection closes.
        var big = Encoding.Latin1.GetBytes("d8:intervali60e5:peers20000:" + new string('a', 20000) + "e");
        await using var tracker = new FakeHttpTracker(_ => new FakeHttpResponse(200, big, new Dictionary<string, string> { ["Content-Length"] = string.Empty }));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions() with { MaxResponseBytes = 1000 });

        var error = await Assert.ThrowsAsync<TrackerFailedException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Contains("limit of 1000 bytes", error.Reason);
    }

    [Fact]
    public async Task Silent_tracker_times_out_with_TrackerTimeout()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Silent());
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions(TimeSpan.FromMilliseconds(300)));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TrackerTimeoutException>(() => client.AnnounceAsync(TrackerTestData.Request(), CancellationToken.None));

        Assert.Equal("TrackerTimeout", error.ErrorId);
        Assert.Equal(Errors.TorrentErrorKind.OperationTimeout, error.Kind);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_not_reported_as_a_timeout()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Silent());
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions(TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.AnnounceAsync(TrackerTestData.Request(), cancel.Token));
    }

    [Fact]
    public async Task Scrape_goes_to_the_scrape_url_and_reads_the_counts()
    {
        var hash = Encoding.Latin1.GetString(TrackerTestData.InfoHash.ToArray());
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok($"d5:filesd20:{hash}d8:completei3e10:downloadedi8e10:incompletei1eeee"));
        using var client = new HttpTrackerClient(tracker.AnnounceUrl, options: TrackerTestData.FastOptions());

        var counts = await client.ScrapeAsync(TrackerTestData.InfoHash, CancellationToken.None);

        Assert.Equal(new ScrapeResponse(3, 1, 8), counts);
        Assert.StartsWith("/scrape?info_hash=%00%FF", Assert.Single(tracker.Requests));
    }

    [Fact]
    public async Task Each_request_goes_on_its_own_connection_so_a_tracker_that_hangs_up_after_answering_loses_no_announce()
    {
        // opentracker answers HTTP/1.1 without "Connection: close" and then resets the connection: an announce sent on
        // the kept connection (a "stopped" right after "started") failed with "Connection reset by peer".
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connections = 0;
        var served = Task.Run(async () =>
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                Interlocked.Increment(ref connections);
                _ = Task.Run(() => AnswerOnceThenResetAsync(socket));
            }
        });
        var url = $"http://{listener.LocalEndpoint}/announce";
        using var client = new HttpTrackerClient(url, options: TrackerTestData.FastOptions());

        for (var i = 0; i < 5; i++)
        {
            var response = await client.AnnounceAsync(TrackerTestData.Request(i == 0 ? TrackerEvent.Started : TrackerEvent.Stopped), CancellationToken.None);
            Assert.Equal(TimeSpan.FromSeconds(120), response.Interval);
        }

        Assert.Equal(5, Volatile.Read(ref connections));
    }

    /// <summary>Answers the first request keep-alive style; a second request on the same connection gets a reset.</summary>
    private static async Task AnswerOnceThenResetAsync(System.Net.Sockets.Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[8192];
            var requests = 0;
            var text = new StringBuilder();
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                text.Append(Encoding.Latin1.GetString(buffer, 0, read));
                if (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    continue;
                }

                text.Clear();
                if (++requests > 1)
                {
                    socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                    return;
                }

                const string body = "d8:intervali120e5:peers0:e";
                await socket.SendAsync(Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            }
        }
    }
}
