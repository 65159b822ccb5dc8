using System.Net;
using System.Text;
using System.Threading.Channels;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

/// <summary>A real discovery and status query against the fake trackers report their progress from start to end.</summary>
public sealed class TrackerBatchProgressTests
{
    private static PeerDiscoveryTarget Target(params IReadOnlyList<string>[] tiers)
        => new() { InfoHash = TrackerTestData.InfoHash, TrackerTiers = tiers, Left = 1000 };

    private static string HttpBody(params string[] endPoints)
    {
        var peers = Encoding.Latin1.GetString(CompactPeers.Write(endPoints.Select(IPEndPoint.Parse), 6));
        return $"d8:intervali900e5:peers{peers.Length}:{peers}e";
    }

    private static async Task<List<TrackerBatchProgress>> ReadAllAsync(ChannelReader<TrackerBatchProgress> reader)
    {
        var all = new List<TrackerBatchProgress>();
        await foreach (var progress in reader.ReadAllAsync())
        {
            all.Add(progress);
        }

        return all;
    }

    [Fact]
    public async Task Discovery_reports_from_nothing_asked_to_every_answer_failure_and_peer_then_completes()
    {
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1", "10.0.0.2:2")));
        await using var failing = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d14:failure reason7:go awaye"));
        var channel = Channel.CreateUnbounded<TrackerBatchProgress>();
        var reading = ReadAllAsync(channel.Reader);
        var events = new List<TrackerDiscoveryEvent>();

        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(Target([http.AnnounceUrl], [failing.AnnounceUrl]), TrackerTestData.DiscoveryOptions(), channel.Writer))
        {
            events.Add(found);
        }

        var published = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        var first = published[0];
        Assert.Equal((2, 0, 0, 0, false), (first.Expected, first.Asked, first.Finished, first.Peers, first.IsComplete));
        Assert.Equal(TrackerTestData.InfoHash, first.InfoHash);
        Assert.True(first.TimeRemaining > TimeSpan.Zero);
        var last = published[^1];
        Assert.Equal((2, 2, 1, 1, 2, true), (last.Expected, last.Asked, last.Answered, last.Failed, last.Peers, last.IsComplete));
        Assert.Equal(TimeSpan.Zero, last.TimeRemaining);
        Assert.Equal([TrackerAskState.Answered, TrackerAskState.Failed], last.Trackers.Select(t => t.State));
        Assert.Single(published, p => p.IsComplete);

        // Counts only grow, in the order the discovery saw them.
        Assert.Equal(published.Select(p => p.Finished).Order(), published.Select(p => p.Finished));
        Assert.Equal(published.Select(p => p.Peers).Order(), published.Select(p => p.Peers));
        Assert.Equal(events.Count(e => e.Kind == TrackerDiscoveryEventKind.Peer), last.Peers);
    }

    [Fact]
    public async Task A_magnet_link_s_own_peers_count_and_a_torrent_without_trackers_still_completes()
    {
        var channel = Channel.CreateUnbounded<TrackerBatchProgress>();
        var target = Target() with { KnownPeers = [IPEndPoint.Parse("10.9.9.9:99")] };

        await foreach (var unused in TrackerPeerDiscovery.DiscoverAsync(target, TrackerTestData.DiscoveryOptions(), channel.Writer))
        {
        }

        var last = (await ReadAllAsync(channel.Reader))[^1];
        Assert.Equal((0, 1, true), (last.Expected, last.Peers, last.IsComplete));
    }

    [Fact]
    public async Task A_consumer_that_stops_early_still_gets_the_last_snapshot_with_the_silent_tracker_called_off()
    {
        await using var silent = new FakeHttpTracker(_ => FakeHttpResponse.Silent());
        await using var fast = new FakeHttpTracker(_ => FakeHttpResponse.Ok(HttpBody("10.0.0.1:1")));
        var channel = Channel.CreateUnbounded<TrackerBatchProgress>();

        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(Target([silent.AnnounceUrl], [fast.AnnounceUrl]), TrackerTestData.DiscoveryOptions(TimeSpan.FromSeconds(60)), channel.Writer))
        {
            if (found.Kind == TrackerDiscoveryEventKind.Peer)
            {
                break;
            }
        }

        var last = (await ReadAllAsync(channel.Reader).WaitAsync(TimeSpan.FromSeconds(10)))[^1];
        Assert.True(last.IsComplete);
        Assert.Equal([TrackerAskState.CalledOff, TrackerAskState.Answered], last.Trackers.Select(t => t.State));
        Assert.Equal((1, 2), (last.Expected, last.Asked));
    }

    [Fact]
    public async Task Status_query_reports_each_tracker_as_it_ends_and_the_rest_beyond_the_cap_as_not_contacted()
    {
        var hash = Encoding.Latin1.GetString(TrackerTestData.InfoHash.ToArray());
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok($"d5:filesd20:{hash}d8:completei7e10:downloadedi30e10:incompletei2eeee"));
        await using var failing = new FakeHttpTracker(_ => new FakeHttpResponse(500, []));
        var channel = Channel.CreateUnbounded<TrackerBatchProgress>();
        var options = TrackerTestData.DiscoveryOptions() with { MaxTrackers = 2 };

        var statuses = new List<TrackerStatus>();
        await foreach (var status in TrackerStatusQuery.QueryAsync(Target([failing.AnnounceUrl], [http.AnnounceUrl], ["udp://127.0.0.1:1/announce"]), options, channel.Writer))
        {
            statuses.Add(status);
        }

        var published = await ReadAllAsync(channel.Reader);
        Assert.Equal((2, 1), (published[0].Expected, published[0].NotContacted));
        var last = published[^1];
        Assert.Equal((2, 1, 1, 0, true), (last.Expected, last.Answered, last.Failed, last.Peers, last.IsComplete));
        Assert.Equal([TrackerStatusKind.Failed, TrackerStatusKind.Working, TrackerStatusKind.NotContacted], statuses.Select(s => s.Status));
    }
}
