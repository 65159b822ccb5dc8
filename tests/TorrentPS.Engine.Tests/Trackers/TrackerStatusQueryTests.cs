using System.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class TrackerStatusQueryTests
{
    private static async Task<List<TrackerStatus>> QueryAsync(TrackerDiscoveryOptions options, params IReadOnlyList<string>[] tiers)
    {
        var result = new List<TrackerStatus>();
        var target = new PeerDiscoveryTarget { InfoHash = TrackerTestData.InfoHash, TrackerTiers = tiers, Left = 1 };
        await foreach (var status in TrackerStatusQuery.QueryAsync(target, options))
        {
            result.Add(status);
        }

        return result;
    }

    [Fact]
    public async Task Scrape_counts_are_reported_per_tracker_in_tier_order()
    {
        var hash = Encoding.Latin1.GetString(TrackerTestData.InfoHash.ToArray());
        await using var http = new FakeHttpTracker(_ => FakeHttpResponse.Ok($"d5:filesd20:{hash}d8:completei7e10:downloadedi30e10:incompletei2eeee"));
        await using var udp = new FakeUdpTracker(r => FakeUdpTracker.WellBehaved(r));

        var statuses = await QueryAsync(TrackerTestData.DiscoveryOptions(), [udp.AnnounceUrl], [http.AnnounceUrl]);

        Assert.Equal([udp.AnnounceUrl, http.AnnounceUrl], statuses.Select(s => s.Url));
        Assert.Equal([0, 1], statuses.Select(s => s.Tier));
        Assert.Equal((TrackerStatusKind.Working, 5L, 3L, 9L), (statuses[0].Status, statuses[0].Seeders!.Value, statuses[0].Leechers!.Value, statuses[0].Downloaded!.Value));
        Assert.Equal((TrackerStatusKind.Working, 7L, 2L, 30L), (statuses[1].Status, statuses[1].Seeders!.Value, statuses[1].Leechers!.Value, statuses[1].Downloaded!.Value));
        Assert.All(statuses, s => Assert.Null(s.LastError));
    }

    [Fact]
    public async Task Announce_is_the_fallback_when_there_is_no_scrape()
    {
        await using var http = new FakeHttpTracker(target => target.StartsWith("/tracker", StringComparison.Ordinal)
            ? FakeHttpResponse.Ok("d8:completei4e10:incompletei6e8:intervali1200e5:peers0:e")
            : new FakeHttpResponse(404, []));
        var url = http.BaseUrl + "/tracker";

        var status = Assert.Single(await QueryAsync(TrackerTestData.DiscoveryOptions(), [url]));

        Assert.Equal(TrackerStatusKind.Working, status.Status);
        Assert.Equal((4L, 6L), (status.Seeders!.Value, status.Leechers!.Value));
        Assert.Equal(TimeSpan.FromMinutes(20), status.IntervalSpan);
        Assert.Equal("0", FakeHttpTracker.Query(Assert.Single(http.Requests), "numwant"));
    }

    [Fact]
    public async Task Failing_and_unsupported_trackers_carry_their_last_error()
    {
        await using var failing = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d14:failure reason12:unregisterede"));

        var statuses = await QueryAsync(TrackerTestData.DiscoveryOptions(), [failing.AnnounceUrl], ["ftp://x/announce"]);

        Assert.Equal((TrackerStatusKind.Failed, "unregistered"), (statuses[0].Status, statuses[0].LastError));
        Assert.Equal(TrackerStatusKind.Unsupported, statuses[1].Status);
        Assert.Contains("ftp", statuses[1].LastError);
    }

    [Fact]
    public async Task Silent_tracker_is_reported_as_timed_out()
    {
        await using var silent = new FakeUdpTracker(_ => []);

        var status = Assert.Single(await QueryAsync(TrackerTestData.DiscoveryOptions(TimeSpan.FromMilliseconds(300)), [silent.AnnounceUrl]));

        Assert.Equal(TrackerStatusKind.TimedOut, status.Status);
        Assert.Contains(silent.AnnounceUrl, status.LastError);
    }
}
