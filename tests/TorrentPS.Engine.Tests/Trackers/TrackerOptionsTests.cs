using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class TrackerOptionsTests
{
    [Fact]
    public void Default_retransmission_follows_BEP15_15_times_2_to_the_n_up_to_n_8()
    {
        var delays = Enumerable.Range(0, 10).Select(n => TrackerOptions.Default.UdpRetransmitDelay(n).TotalSeconds);

        Assert.Equal([15, 30, 60, 120, 240, 480, 960, 1920, 3840, 3840], delays);
        Assert.Equal(8, TrackerOptions.Default.UdpMaxRetransmits);
    }

    [Fact]
    public void Interactive_options_resend_within_the_timeout()
    {
        var options = TrackerOptions.ForInteractive(TimeSpan.FromSeconds(15));

        Assert.Equal(TimeSpan.FromSeconds(15), options.Timeout);
        Assert.True(options.UdpRetransmitDelay(0) + options.UdpRetransmitDelay(1) < options.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), TrackerOptions.ForInteractive(TimeSpan.FromSeconds(1)).UdpRetransmitBase);
        Assert.Equal(TimeSpan.FromSeconds(15), TrackerOptions.ForInteractive(TimeSpan.FromHours(1)).UdpRetransmitBase);
    }
}
