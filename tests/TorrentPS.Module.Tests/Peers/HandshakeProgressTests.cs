using System.Net;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Module.Tests.Support;
using TorrentPS.Peers;

using TorrentPS.Engine.Peers;

namespace TorrentPS.Module.Tests.Peers;

public class HandshakeProgressTests
{
    private static readonly InfoHash Hash = InfoHash.Parse("0123456789abcdef0123456789abcdef01234567");

    private static TorrentPeer Peer(int port) => new(IPAddress.Loopback, port, Hash, PeerSource.Manual);

    private static (HandshakeProgress Handshakes, ManualTimeProvider Time) Create(int peers, int throttleLimit = 16, int timeoutSec = 10, TimeSpan? minInterval = null)
    {
        var time = new ManualTimeProvider();
        var transfer = new TransferProgress(HandshakeProgress.Activity, peers, time: time, minInterval: minInterval ?? TimeSpan.Zero, unit: HandshakeProgress.Unit);
        return (new HandshakeProgress(transfer, peers, throttleLimit, TimeSpan.FromSeconds(timeoutSec)), time);
    }

    [Fact]
    public void Counts_handshakes_finished_out_of_the_peers_with_answers_failures_and_the_rate()
    {
        var (handshakes, time) = Create(40);
        var first = handshakes.Begin();
        Assert.Equal(("Handshaking with peers", "0 of 40 peers: 0 answered, 0 failed", 0), (first!.Activity, first.StatusDescription, first.PercentComplete));

        ProgressUpdate? update = null;
        for (var i = 0; i < 12; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            update = i % 4 == 3 ? handshakes.PeerFailed(Peer(1000 + i)) : handshakes.PeerAnswered(Peer(1000 + i));
        }

        // 12 in 3 s: 4 peers/s, 28 left: 7 s.
        Assert.Equal("12 of 40 peers: 9 answered, 3 failed, 4.0 peers/s", update!.StatusDescription);
        Assert.Equal(30, update.PercentComplete);
        Assert.Equal(7, update.SecondsRemaining);
        Assert.Equal("127.0.0.1:1011 failed", update.CurrentOperation);
        Assert.Equal(-1, update.ParentActivityId);
    }

    [Fact]
    public void Before_any_rate_the_time_remaining_is_the_most_the_peers_can_take_by_the_timeout()
    {
        // 40 peers, 16 at once: 3 waves, each up to four 10 s timeouts.
        Assert.Equal(120, Create(40, throttleLimit: 16, timeoutSec: 10).Handshakes.Begin()!.SecondsRemaining);
        Assert.Equal(HandshakeProgress.TimeoutsPerPeer * 5, Create(1, timeoutSec: 5).Handshakes.Begin()!.SecondsRemaining);
    }

    [Fact]
    public void The_rate_estimate_is_capped_by_the_timeout()
    {
        var (handshakes, time) = Create(100, throttleLimit: 100, timeoutSec: 2);
        handshakes.Begin();
        time.Advance(TimeSpan.FromSeconds(10));
        // 0.1 peers/s would mean 990 s; 99 peers at once can take no more than 4 x 2 s.
        Assert.Equal(8, handshakes.PeerAnswered(Peer(1))!.SecondsRemaining);
    }

    [Fact]
    public void The_completed_update_has_the_final_counts_even_when_the_last_report_was_throttled()
    {
        var (handshakes, _) = Create(3, minInterval: TimeSpan.FromMilliseconds(250));
        Assert.NotNull(handshakes.Begin());
        Assert.Null(handshakes.PeerAnswered(Peer(1)));
        Assert.Null(handshakes.PeerAnswered(Peer(2)));
        Assert.Null(handshakes.PeerFailed(Peer(3)));

        var done = handshakes.Complete();
        Assert.True(done!.IsCompleted);
        Assert.Equal("3 of 3 peers: 2 answered, 1 failed", done.StatusDescription);
        Assert.Equal((100, 0), (done.PercentComplete, done.SecondsRemaining));
        Assert.Null(handshakes.Complete());
    }

    [Fact]
    public void One_peer_is_singular()
        => Assert.Equal("1 of 1 peer: 1 answered, 0 failed", Create(1).Handshakes.PeerAnswered(Peer(1))!.StatusDescription);
}
