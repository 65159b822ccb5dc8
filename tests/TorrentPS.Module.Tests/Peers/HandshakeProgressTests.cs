using System.Net;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;
using TorrentPS.Module.Tests.Support;
using TorrentPS.Peers;

namespace TorrentPS.Module.Tests.Peers;

/// <summary>
/// Invoke-PeerHandshake's progress maps the engine's batch snapshots (counts, the rate, the time left capped by what the
/// rest can take by the timeouts); the engine's own tests pin how it counts, measures and bounds.
/// </summary>
public class HandshakeProgressTests
{
    private static readonly InfoHash Hash = InfoHash.Parse("0123456789abcdef0123456789abcdef01234567");
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TorrentPeer Peer(int port) => new(IPAddress.Loopback, port, Hash, PeerSource.Manual);

    private static (HandshakeProgress Handshakes, ManualTimeProvider Time) Create(TimeSpan? minInterval = null)
    {
        var time = new ManualTimeProvider();
        var transfer = new TransferProgress(HandshakeProgress.Activity, 0, time: time, minInterval: minInterval ?? TimeSpan.Zero, unit: HandshakeProgress.Unit);
        return (new HandshakeProgress(transfer), time);
    }

    private static HandshakeBatchProgress Snapshot(int expected, int succeeded, int failed, int? secondsLeft = 120, TorrentPeer? last = null, bool lastSucceeded = false, double rate = 0) => new()
    {
        RatePerSecond = rate,
        Expected = expected,
        AllKnown = true,
        Started = succeeded + failed,
        Succeeded = succeeded,
        Failed = failed,
        LastFinished = last,
        LastSucceeded = lastSucceeded,
        At = Start,
        EndsBy = secondsLeft is { } s ? Start.AddSeconds(s) : null,
    };

    [Fact]
    public void Counts_handshakes_finished_out_of_the_batch_with_answers_failures_and_the_rate()
    {
        var (handshakes, time) = Create();
        var first = handshakes.Report(Snapshot(40, 0, 0));
        Assert.Equal(("Handshaking with peers", "0 of 40 peers: 0 answered, 0 failed", 0), (first!.Activity, first.StatusDescription, first.PercentComplete));

        ProgressUpdate? update = null;
        for (var i = 1; i <= 12; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            var failed = i / 4;
            update = handshakes.Report(Snapshot(40, i - failed, failed, last: Peer(1000 + i - 1), lastSucceeded: i % 4 != 0, rate: 4));
        }

        // The engine's rate, 4 peers/s: 28 left take 7 s (within the engine's 120 s).
        Assert.Equal("12 of 40 peers: 9 answered, 3 failed, 4.0 peers/s", update!.StatusDescription);
        Assert.Equal(30, update.PercentComplete);
        Assert.Equal(7, update.SecondsRemaining);
        Assert.Equal("127.0.0.1:1011 failed", update.CurrentOperation);
        Assert.Equal(-1, update.ParentActivityId);
    }

    [Fact]
    public void Before_any_rate_the_time_remaining_is_what_the_engine_says_the_rest_can_take()
    {
        Assert.Equal(90, Create().Handshakes.Report(Snapshot(40, 0, 0, secondsLeft: 90))!.SecondsRemaining);
        Assert.Equal(-1, Create().Handshakes.Report(Snapshot(40, 0, 0, secondsLeft: null))!.SecondsRemaining); // a batch not counted yet
    }

    [Fact]
    public void The_rate_estimate_is_capped_by_the_engine_s_bound()
    {
        var (handshakes, time) = Create();
        handshakes.Report(Snapshot(100, 0, 0));
        time.Advance(TimeSpan.FromSeconds(10));

        // 0.1 peers/s would mean 990 s; the engine says the rest takes no more than 6 s.
        Assert.Equal(6, handshakes.Report(Snapshot(100, 1, 0, secondsLeft: 6))!.SecondsRemaining);
    }

    [Fact]
    public void The_completed_update_has_the_final_counts_even_when_the_last_report_was_throttled()
    {
        var (handshakes, _) = Create(TimeSpan.FromMilliseconds(250));
        Assert.NotNull(handshakes.Report(Snapshot(3, 0, 0)));
        Assert.Null(handshakes.Report(Snapshot(3, 1, 0)));
        Assert.Null(handshakes.Report(Snapshot(3, 2, 1)));

        var done = handshakes.Complete();
        Assert.True(done!.IsCompleted);
        Assert.Equal("3 of 3 peers: 2 answered, 1 failed", done.StatusDescription);
        Assert.Equal((100, 0), (done.PercentComplete, done.SecondsRemaining));
        Assert.Null(handshakes.Complete());
    }

    [Fact]
    public void One_peer_is_singular()
        => Assert.Equal("1 of 1 peer: 1 answered, 0 failed", Create().Handshakes.Report(Snapshot(1, 1, 0))!.StatusDescription);
}
