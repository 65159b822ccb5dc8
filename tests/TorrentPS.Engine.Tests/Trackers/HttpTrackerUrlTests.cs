using System.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class HttpTrackerUrlTests
{
    [Fact]
    public void Announce_query_percent_encodes_info_hash_and_peer_id_as_raw_bytes()
    {
        var url = HttpTrackerUrl.BuildAnnounce("http://t.example/announce", TrackerTestData.Request(), null);

        Assert.StartsWith("http://t.example/announce?info_hash=%00%FF%20Aaz~-._%10%200%40P%60p%80%9A%AB&peer_id=-TP0100-abcdefghijkl&", url);
        Assert.Equal(TrackerTestData.InfoHash.ToArray(), FakeHttpTracker.QueryBytes(url, "info_hash"));
        Assert.Equal("51413", FakeHttpTracker.Query(url, "port"));
        Assert.Equal("10", FakeHttpTracker.Query(url, "uploaded"));
        Assert.Equal("20", FakeHttpTracker.Query(url, "downloaded"));
        Assert.Equal("1000", FakeHttpTracker.Query(url, "left"));
        Assert.Equal("1", FakeHttpTracker.Query(url, "compact"));
        Assert.Equal("50", FakeHttpTracker.Query(url, "numwant"));
        Assert.Equal("deadbeef", FakeHttpTracker.Query(url, "key"));
    }

    [Fact]
    public void Regular_announce_omits_event_and_others_name_it()
    {
        Assert.Null(FakeHttpTracker.Query(HttpTrackerUrl.BuildAnnounce("http://t/announce", TrackerTestData.Request(), null), "event"));
        Assert.Equal("started", FakeHttpTracker.Query(HttpTrackerUrl.BuildAnnounce("http://t/announce", TrackerTestData.Request(TrackerEvent.Started), null), "event"));
        Assert.Equal("completed", FakeHttpTracker.Query(HttpTrackerUrl.BuildAnnounce("http://t/announce", TrackerTestData.Request(TrackerEvent.Completed), null), "event"));
        Assert.Equal("stopped", FakeHttpTracker.Query(HttpTrackerUrl.BuildAnnounce("http://t/announce", TrackerTestData.Request(TrackerEvent.Stopped), null), "event"));
    }

    [Fact]
    public void Announce_keeps_the_trackers_own_query_and_echoes_the_tracker_id()
    {
        var url = HttpTrackerUrl.BuildAnnounce("http://t/announce.php?passkey=abc", TrackerTestData.Request(), "id 1&2");

        Assert.StartsWith("http://t/announce.php?passkey=abc&info_hash=", url);
        Assert.EndsWith("&trackerid=id%201%262", url);
        Assert.Equal("id 1&2", Encoding.Latin1.GetString(FakeHttpTracker.QueryBytes(url, "trackerid")!));
    }

    [Theory]
    [InlineData("http://example.com/announce", "http://example.com/scrape")]
    [InlineData("http://example.com/x/announce", "http://example.com/x/scrape")]
    [InlineData("http://example.com/announce.php", "http://example.com/scrape.php")]
    [InlineData("http://example.com/announce?x2%0644", "http://example.com/scrape?x2%0644")]
    [InlineData("http://example.com/a", null)]
    [InlineData("http://example.com/announce?x=2/4", "http://example.com/scrape?x=2/4")]
    [InlineData("http://example.com/x%064announce", null)]
    public void Scrape_url_replaces_announce_in_the_last_path_segment(string announce, string? scrape)
        => Assert.Equal(scrape, HttpTrackerUrl.TryGetScrapeUrl(announce));
}
