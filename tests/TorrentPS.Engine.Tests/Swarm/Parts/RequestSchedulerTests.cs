using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>The request scheduler alone: pipeline depth, rejects, chokes, timeouts, endgame cancels. A fake clock, no loop.</summary>
public sealed class RequestSchedulerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PeerOutbox _outbox = new();
    private readonly CountingBudget _budget = new();
    private readonly PartsTorrent _torrent = new();
    private readonly PeerRoster _roster;
    private readonly PeerAvailability _availability;
    private readonly RequestScheduler _scheduler;

    public RequestSchedulerTests()
    {
        _roster = new PeerRoster(new RosterSettings(50, 8, Peers.PeerId.Generate(), _ => false), new RecordingDialer(), _budget, _outbox, _ => { }, _time, NullLogger.Instance, "t");
        _availability = new PeerAvailability(_outbox, _roster);
        _availability.Adopt(_torrent.Picker, []);
        _scheduler = new RequestScheduler(_roster, _outbox, new ProgressWatchdog(_time, _time.GetTimestamp()), TimeSpan.FromSeconds(20), 64L * 1024 * 1024, _time, NullLogger.Instance, "t");
        _scheduler.Begin(_torrent.Picker, _torrent.Context);
    }

    /// <summary>A connected seed that unchoked us, its pipeline filled once.</summary>
    private (RecordingLink Link, PeerState Peer) Seed(bool fast = true)
    {
        var link = new RecordingLink(outgoing: false, fast: fast);
        var peer = _roster.Admit(link, stopping: false)!;
        _availability.OnHaveAll(peer);
        _scheduler.OnUnchoke(peer);
        _scheduler.FillPending(downloading: true);
        return (link, peer);
    }

    private static List<OutgoingMessage> Requests(RecordingLink link) => link.Queued.Where(m => m.Type == PeerMessageType.Request).ToList();

    [Fact]
    public void A_peer_is_asked_for_as_many_blocks_as_its_depth_and_told_the_bytes_on_their_way()
    {
        var (link, peer) = Seed();

        Assert.Equal(RequestDepth.Initial, Requests(link).Count);
        Assert.Equal(RequestDepth.Initial, peer.Outstanding.Count);
        Assert.Equal(RequestDepth.Initial * 16384L, link.ExpectedBytes);
    }

    [Fact]
    public void Nothing_is_requested_unless_downloading()
    {
        var link = new RecordingLink(outgoing: false);
        var peer = _roster.Admit(link, stopping: false)!;
        _availability.OnHaveAll(peer);
        _scheduler.OnUnchoke(peer);
        _scheduler.FillPending(downloading: false);

        Assert.Empty(Requests(link));
    }

    [Fact]
    public void Each_arriving_block_makes_room_for_one_more_request()
    {
        var (link, peer) = Seed();
        var first = Requests(link)[0];

        Assert.True(_scheduler.OnBlock(peer, _torrent.Deliver(peer.Id, first)));
        _scheduler.FillPending(downloading: true);

        Assert.Equal(RequestDepth.Initial + 1, Requests(link).Count);
        Assert.Equal(RequestDepth.Initial, peer.Outstanding.Count);
        Assert.Equal(16384, _scheduler.Downloaded);
    }

    [Fact]
    public void A_reject_while_unchoked_shortens_the_peers_queue_to_what_it_holds()
    {
        var (link, peer) = Seed();
        var rejected = Requests(link)[^1];

        _scheduler.OnReject(peer, new IncomingMessage(PeerMessageType.RejectRequest, rejected.Index, rejected.Begin, rejected.Length));

        Assert.Equal(RequestDepth.Initial - 1, peer.RequestQueueLimit);
        Assert.Equal(RequestDepth.Initial - 1, peer.Depth);
        Assert.Equal(RequestDepth.Initial - 1, peer.Outstanding.Count);
    }

    [Fact]
    public void A_choke_without_the_fast_extension_drops_every_request_and_with_it_keeps_them()
    {
        var (slow, slowPeer) = Seed(fast: false);
        var (_, fastPeer) = Seed(fast: true);

        _scheduler.OnChoke(slowPeer);
        _scheduler.OnChoke(fastPeer);

        Assert.Empty(slowPeer.Outstanding);
        Assert.Equal(0, slow.ExpectedBytes);
        Assert.Equal(RequestDepth.Initial, fastPeer.Outstanding.Count);
    }

    [Fact]
    public void A_peer_that_delivers_nothing_for_the_request_timeout_is_snubbed_and_its_requests_cancelled()
    {
        var (link, peer) = Seed();

        _time.Advance(TimeSpan.FromSeconds(19));
        _scheduler.Tick(_time.GetTimestamp(), downloading: true);
        Assert.False(peer.Snubbed);

        _time.Advance(TimeSpan.FromSeconds(2));
        _scheduler.Tick(_time.GetTimestamp(), downloading: true);

        Assert.True(peer.Snubbed);
        Assert.Equal(1, peer.Depth);
        Assert.Empty(peer.Outstanding);
        Assert.Equal(RequestDepth.Initial, link.Queued.Count(m => m.Type == PeerMessageType.Cancel));
    }

    [Fact]
    public void Blocks_nobody_asked_for_are_wasted_and_a_flood_of_them_closes_the_connection()
    {
        var (link, peer) = Seed();
        var piece = Enumerable.Range(0, _torrent.Info.PieceCount).First(i => !peer.Outstanding.Any(b => b.Piece == i));
        var stray = new IncomingMessage(PeerMessageType.Piece, piece, 0, 16384, Outcome: BlockOutcome.Unexpected);

        for (var i = 0; i < RequestScheduler.MaxUnexpectedBlocks; i++)
        {
            Assert.True(_scheduler.OnBlock(peer, stray));
        }

        Assert.False(_scheduler.OnBlock(peer, stray));
        Assert.Equal((RequestScheduler.MaxUnexpectedBlocks + 1) * 16384L, _scheduler.Wasted);
        Assert.Contains("blocks nobody asked for", link.ClosedFor);
    }

    [Fact]
    public void A_peer_that_leaves_gives_its_requests_to_the_others()
    {
        var (gone, gonePeer) = Seed();
        var (_, other) = Seed();
        var asked = gonePeer.Outstanding.ToList();

        _roster.Remove(gone, "closed", stopping: false);
        _scheduler.PeerGone(gonePeer);
        other.Depth = 256;
        _scheduler.Wake(other);
        _scheduler.FillPending(downloading: true);

        Assert.All(asked, block => Assert.Contains(block, other.Outstanding));
    }

    [Fact]
    public void A_verified_piece_cancels_the_copies_still_asked_of_others()
    {
        var (first, firstPeer) = Seed();
        var (second, secondPeer) = Seed();
        var block = firstPeer.Outstanding[0];
        secondPeer.Outstanding.Add(block); // an endgame copy

        _scheduler.OnPieceVerified(block.Piece);

        Assert.DoesNotContain(secondPeer.Outstanding, b => b.Piece == block.Piece);
        Assert.Contains(second.Queued, m => m.Type == PeerMessageType.Cancel && m.Index == block.Piece);
        Assert.Contains(first.Queued, m => m.Type == PeerMessageType.Cancel && m.Index == block.Piece);
    }

    [Fact]
    public void Depth_follows_the_peers_rate()
    {
        var (link, peer) = Seed();
        var now = _time.GetTimestamp();
        peer.DownloadRate.Sample(0, now, _time.TimestampFrequency);
        _time.Advance(TimeSpan.FromSeconds(1));
        peer.DownloadRate.Sample(100L * 1024 * 1024, _time.GetTimestamp(), _time.TimestampFrequency);

        _scheduler.Tick(_time.GetTimestamp(), downloading: true);
        _scheduler.FillPending(downloading: true);

        Assert.Equal(RequestDepth.For(100.0 * 1024 * 1024, null, snubbed: false), peer.Depth);
        Assert.True(Requests(link).Count > RequestDepth.Initial);
    }
}
