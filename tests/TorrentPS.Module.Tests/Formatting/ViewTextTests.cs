using TorrentPS.Formatting;

namespace TorrentPS.Module.Tests.Formatting;

public class ViewTextTests
{
    [Theory]
    [InlineData("udp://tracker.opentrackr.org:1337/announce", "tracker.opentrackr.org:1337")]
    [InlineData("http://tracker.example.net/announce", "tracker.example.net")]
    [InlineData("not a url", "not a url")]
    [InlineData(null, "")]
    public void A_tracker_shows_as_its_host_and_port(string? url, string expected) => Assert.Equal(expected, ViewText.TrackerHost(url));

    [Fact]
    public void Extensions_show_sorted_with_their_ids()
        => Assert.Equal("ut_metadata=2, ut_pex=1", ViewText.Extensions(new Dictionary<string, byte> { ["ut_pex"] = 1, ["ut_metadata"] = 2 }));

    [Fact]
    public void Unknown_sizes_and_durations_show_as_nothing()
    {
        Assert.Equal((string.Empty, "176 B"), (ViewText.Size(null), ViewText.Size(176)));
        Assert.Equal((string.Empty, "1800 s"), (ViewText.Seconds(null), ViewText.Seconds(1800.0)));
    }
}
