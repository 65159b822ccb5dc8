using System.Net;
using System.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class HttpTrackerResponseParserTests
{
    private const string Url = "http://tracker.test/announce";

    private static AnnounceResponse Parse(string bencode) => HttpTrackerResponseParser.ParseAnnounce(Url, Encoding.Latin1.GetBytes(bencode));

    private static string Compact(params string[] endPoints)
        => Encoding.Latin1.GetString(CompactPeers.Write(endPoints.Select(IPEndPoint.Parse), endPoints[0].Contains('[') ? 18 : 6));

    [Fact]
    public void Reads_compact_peers_counts_and_intervals()
    {
        var peers = Compact("10.0.0.1:6881", "192.168.1.2:51413");
        var response = Parse($"d8:completei5e10:incompletei7e8:intervali900e12:min intervali60e5:peers{peers.Length}:{peers}10:tracker id3:abce");

        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881"), IPEndPoint.Parse("192.168.1.2:51413")], response.Peers);
        Assert.Equal(5, response.Seeders);
        Assert.Equal(7, response.Leechers);
        Assert.Equal(TimeSpan.FromSeconds(900), response.Interval);
        Assert.Equal(TimeSpan.FromSeconds(60), response.MinInterval);
        Assert.Equal("abc", response.TrackerId);
        Assert.Null(response.WarningMessage);
    }

    [Fact]
    public void Reads_the_dictionary_peer_model_and_skips_host_names()
    {
        var response = Parse("d8:intervali60e5:peersld2:ip8:10.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881eed2:ip11:example.org4:porti1eed2:ip3:::14:porti2eeee");

        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881"), IPEndPoint.Parse("[::1]:2")], response.Peers);
    }

    [Fact]
    public void Reads_ipv6_peers_from_peers6()
    {
        var peers6 = Compact("[2001:db8::1]:6881", "[fe80::2]:7000");
        var response = Parse($"d8:intervali60e5:peers0:6:peers6{peers6.Length}:{peers6}e");

        Assert.Equal([IPEndPoint.Parse("[2001:db8::1]:6881"), IPEndPoint.Parse("[fe80::2]:7000")], response.Peers);
    }

    [Fact]
    public void Failure_reason_becomes_TrackerFailed_with_the_trackers_text_and_url()
    {
        var error = Assert.Throws<TrackerFailedException>(() => Parse("d14:failure reason30:Requested download is not authe"));

        Assert.Equal("TrackerFailed", error.ErrorId);
        Assert.Equal("Requested download is not auth", error.Reason);
        Assert.Contains(Url, error.Message);
        Assert.Contains("Requested download is not auth", error.Message);
    }

    [Fact]
    public void Warning_message_is_kept_and_not_fatal()
    {
        var peers = Compact("10.0.0.1:6881");
        var response = Parse($"d8:intervali60e5:peers6:{peers}15:warning message16:slow down pleasee");

        Assert.Equal("slow down please", response.WarningMessage);
        Assert.Single(response.Peers);
    }

    [Theory]
    [InlineData("<html>not bencode</html>")]
    [InlineData("d8:intervali60e5:peers5:abcdee")]
    [InlineData("d8:intervali60e5:peersi3ee")]
    [InlineData("d8:intervali60e6:peers67:abcdefge")]
    [InlineData("li1ee")]
    [InlineData("")]
    public void Malformed_responses_become_TrackerFailed(string body)
    {
        var error = Assert.Throws<TrackerFailedException>(() => Parse(body));

        Assert.Contains("malformed", error.Reason);
        Assert.Contains(Url, error.Message);
    }

    [Fact]
    public void Missing_or_nonsensical_interval_falls_back_to_the_default()
        => Assert.Equal(HttpTrackerResponseParser.DefaultInterval, Parse("d8:intervali-5e5:peers0:e").Interval);

    [Fact]
    public void Scrape_picks_the_counts_of_the_asked_torrent()
    {
        var hash = Encoding.Latin1.GetString(TrackerTestData.InfoHash.ToArray());
        var other = new string('x', 20);
        var body = $"d5:filesd20:{other}d8:completei1e10:downloadedi1e10:incompletei1ee20:{hash}d8:completei4e10:downloadedi12e10:incompletei2eeee";

        var counts = HttpTrackerResponseParser.ParseScrape(Url, Encoding.Latin1.GetBytes(body), TrackerTestData.InfoHash);

        Assert.Equal(new ScrapeResponse(4, 2, 12), counts);
    }

    [Fact]
    public void Scrape_without_the_torrent_is_a_failure()
        => Assert.Throws<TrackerFailedException>(() => HttpTrackerResponseParser.ParseScrape(Url, "d5:filesdee"u8.ToArray(), TrackerTestData.InfoHash));
}
