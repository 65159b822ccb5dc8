using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>
/// A batch of handshakes reports its progress: counts out of the batch, those under way, and the time remaining by
/// the handshake timeouts at so many at once (step by step on a fake clock, then a real batch end to end).
/// </summary>
public sealed class HandshakeBatchProgressTests
{
    private static readonly TimeSpan PerPeer = TimeSpan.FromSeconds(30);

    private static TorrentPeer Peer(int port) => new(IPAddress.Loopback, port, ScriptedPeer.RandomInfoHash(), PeerSource.Manual);

    private static int? Seconds(HandshakeBatchProgress progress) => progress.TimeRemaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : null;

    [Fact]
    public void Counts_handshakes_out_of_the_batch_with_successes_failures_and_those_under_way()
    {
        var time = new FakeTimeProvider();
        var ledger = new HandshakeBatchLedger(3, 2, PerPeer, time, null);
        var (p1, p2, p3) = (Peer(1), Peer(2), Peer(3));
        Assert.Equal((3, true, 0, 0, 0, 0), (ledger.Latest.Expected, ledger.Latest.AllKnown, ledger.Latest.Started, ledger.Latest.Succeeded, ledger.Latest.Failed, ledger.Latest.InFlight));

        ledger.Starting(p1);
        ledger.Starting(p2);
        Assert.Equal((2, 2), (ledger.Latest.Started, ledger.Latest.InFlight));

        ledger.Finished(p1, succeeded: true);
        ledger.Starting(p3);
        ledger.Finished(p2, succeeded: false);
        ledger.Finished(p3, succeeded: true);
        var now = ledger.Latest;
        Assert.Equal((3, 3, 2, 1, 0, 3), (now.Expected, now.Started, now.Succeeded, now.Failed, now.InFlight, now.Finished));
        Assert.Equal((p3, true), (now.LastFinished, now.LastSucceeded));

        ledger.Complete();
        Assert.True(ledger.Latest.IsComplete);
        Assert.Equal(0, Seconds(ledger.Latest));
    }

    [Fact]
    public void The_estimate_follows_the_rate_of_handshakes_finished_and_never_exceeds_the_most_the_rest_can_take()
    {
        var time = new FakeTimeProvider();
        var ledger = new HandshakeBatchLedger(40, 40, PerPeer, time, null);
        Assert.Equal((0, TimeSpan.FromSeconds(30)), (ledger.Latest.RatePerSecond, ledger.Latest.EstimatedRemaining));

        var peers = Enumerable.Range(1, 40).Select(Peer).ToArray();
        foreach (var peer in peers)
        {
            ledger.Starting(peer);
        }

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            ledger.Finished(peers[i], succeeded: true);
        }

        // 10 in 2.5 s: 4 a second, so the 30 left take 7.5 s by the rate (well within the 27.5 s the timeouts allow).
        Assert.Equal(4, ledger.Latest.RatePerSecond, precision: 1);
        Assert.Equal(7.5, ledger.Latest.EstimatedRemaining!.Value.TotalSeconds, precision: 1);
    }

    [Fact]
    public void Time_remaining_is_the_most_the_rest_can_take_by_the_timeouts_so_many_at_once()
    {
        var time = new FakeTimeProvider();
        var ledger = new HandshakeBatchLedger(40, 16, PerPeer, time, null);
        Assert.Equal(90, Seconds(ledger.Latest)); // 40 peers, 16 at once: three rounds of 30 s

        var peers = Enumerable.Range(1, 40).Select(Peer).ToArray();
        foreach (var peer in peers.Take(16))
        {
            ledger.Starting(peer);
        }

        time.Advance(TimeSpan.FromSeconds(10));
        ledger.Finished(peers[0], succeeded: true);
        ledger.Starting(peers[16]);

        // 15 under way until 30 s, one until 40 s; of the 23 not begun, 15 run 30-60 s, one 40-70 s, the last 7 60-90 s.
        Assert.Equal(80, Seconds(ledger.Latest));
    }

    [Fact]
    public void A_batch_read_as_it_goes_has_no_time_remaining_until_every_peer_is_known()
    {
        var ledger = new HandshakeBatchLedger(null, 2, PerPeer, new FakeTimeProvider(), null);
        ledger.Counted();
        ledger.Starting(Peer(1));
        Assert.Equal((1, false, null), (ledger.Latest.Expected, ledger.Latest.AllKnown, Seconds(ledger.Latest)));

        ledger.AllCounted();
        Assert.Equal((true, 30), (ledger.Latest.AllKnown, Seconds(ledger.Latest)));
    }

    [Fact]
    public void An_abandoned_handshake_is_no_longer_under_way_and_counts_as_neither()
    {
        var ledger = new HandshakeBatchLedger(1, 1, PerPeer, new FakeTimeProvider(), null);
        var peer = Peer(1);
        ledger.Starting(peer);
        ledger.Abandoned(peer);

        Assert.Equal((1, 0, 0, 0), (ledger.Latest.Started, ledger.Latest.InFlight, ledger.Latest.Succeeded, ledger.Latest.Failed));
    }

    [Fact]
    public void The_longest_dial_is_the_connect_the_handshake_and_the_extension_handshake_in_turn()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), new HandshakeOptions().WithTimeout(TimeSpan.FromSeconds(5)).LongestDial);
        Assert.Equal(TimeSpan.FromSeconds(10), (new HandshakeOptions { ExchangeExtensionHandshake = false }).WithTimeout(TimeSpan.FromSeconds(5)).LongestDial);
    }

    [Fact]
    public async Task A_real_batch_reports_each_outcome_and_completes_its_channel()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var answering = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash, reserved: ReservedBits.Create(false, false, false)), ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        TorrentPeer[] peers = [new(IPAddress.Loopback, answering.EndPoint.Port, infoHash, PeerSource.Manual), new(IPAddress.Loopback, closedPort, infoHash, PeerSource.Manual)];
        var channel = Channel.CreateUnbounded<HandshakeBatchProgress>();

        var outcomes = new List<PeerHandshakeOutcome>();
        await foreach (var outcome in new PeerHandshaker().HandshakeManyAsync(peers, new HandshakeOptions().WithTimeout(TimeSpan.FromSeconds(5)), 1, channel.Writer))
        {
            outcomes.Add(outcome);
        }

        var published = new List<HandshakeBatchProgress>();
        await foreach (var progress in channel.Reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
        {
            published.Add(progress);
        }

        Assert.Equal(2, outcomes.Count);
        Assert.Equal((2, 0, 0), (published[0].Expected, published[0].Started, published[0].Finished));
        Assert.Equal(1, published.Max(p => p.InFlight)); // one at once
        var last = published[^1];
        Assert.Equal((2, 1, 1, 0, true), (last.Expected, last.Succeeded, last.Failed, last.InFlight, last.IsComplete));
        Assert.Equal(published.Select(p => p.Finished).Order(), published.Select(p => p.Finished));
    }
}
