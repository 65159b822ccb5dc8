using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class TrackerErrorMessageTests
{
    [Theory]
    [InlineData(1, "within 1 second.")]
    [InlineData(15, "within 15 seconds.")]
    [InlineData(0.5, "within 0.5 seconds.")]
    public void A_timeout_says_its_seconds_in_good_English(double seconds, string ending)
        => Assert.EndsWith(ending, new TrackerTimeoutException("udp://127.0.0.1:1/announce", TimeSpan.FromSeconds(seconds)).Message, StringComparison.Ordinal);
}
