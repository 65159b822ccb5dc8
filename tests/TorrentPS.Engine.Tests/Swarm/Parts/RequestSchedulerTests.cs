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
    private readonly PartsTorrent _torrent;
    private readonly PeerRoster _roster;
    private readonly PeerAvailability _availability;
    private readonly ProgressWatchdog _watchdog;
    private RequestScheduler _scheduler;

    public RequestSchedulerTests()
    {
        // More blocks than a full pipeline (256) and then some, so one peer can have a whole pipeline cancelled.
        _torrent = new PartsTorrent(pieces: 200);
        _roster = new PeerRoster(new RosterSettings(50, 8, Peers.PeerId.Generate(), _ => false), new RecordingDialer(), _budget, _outbox, _ => { }, _time, NullLogger.Instance, "t");
        _availability = new PeerAvailability(_outbox, _roster);
        _availability.Adopt(_torrent.Picker, []);
        _watchdog = new ProgressWatchdog(_time, _time.GetTimestamp());
        _scheduler = Scheduler(64L * 1024 * 1024);
    }

    private RequestScheduler Scheduler(long maxBufferedBytes)
    {
        var scheduler = new RequestScheduler(_roster, _outbox, _watchdog, TimeSpan.FromSeconds(20), maxBufferedBytes, _time, NullLogger.Instance, "t");
        scheduler.Begin(_torrent.Picker, _torrent.Context);
        return scheduler;
    }

    /// <summary>What the loop does when a piece's last block verified it: the picker and the assembler let it go, the scheduler hears.</summary>
    private void Verified(int index)
    {
        _torrent.Picker.MarkVerified(index);
        _torrent.Context.Assembler.Remove(index);
        _scheduler.OnPieceVerified(index);
    }

    /// <summary>Delivers <paramref name="requests"/> from <paramref name="peer"/>, verifying the pieces they complete; false when the peer was dropped.</summary>
    private bool Deliver(PeerState peer, IEnumerable<OutgoingMessage> requests)
    {
        foreach (var request in requests)
        {
            var message = _torrent.Deliver(peer.Id, request);
            if (!_scheduler.OnBlock(peer, message))
            {
                return false;
            }

            if (message.Outcome == BlockOutcome.CompletedPiece)
            {
                Verified(message.Index);
            }
        }

        return true;
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
    public void A_full_pipeline_lets_half_its_bytes_come_before_a_batch_of_blocks_wakes_the_loop()
    {
        var (link, peer) = Seed();
        Assert.Equal(new BlockExpectation(RequestDepth.Initial * 16384L, 0, RequestDepth.Initial * 16384L / 2 + 16384), link.Expectation);

        // Three blocks taken in, the pipeline topped up: the connection counts what is still to come from those three on.
        Assert.True(Deliver(peer, Requests(link).Take(3).ToList()));
        _scheduler.FillPending(downloading: true);

        var bytes = peer.Outstanding.Count * 16384L;
        Assert.Equal(new BlockExpectation(bytes, 3 * 16384L, bytes / 2 + 16384), link.Expectation);
        Assert.Equal(bytes, link.Expectation.Remaining(3 * 16384L));
    }

    [Fact]
    public void A_peer_left_short_or_in_the_endgame_wakes_the_loop_with_every_batch()
    {
        // 200 pieces of two blocks: a queue of 500 takes every block there is, and the picker has no more to give.
        var (link, peer) = Seed();
        peer.RequestQueueLimit = 500;
        peer.Depth = 500;
        _scheduler.Wake(peer);
        _scheduler.FillPending(downloading: true);

        Assert.Equal(400, peer.Outstanding.Count);
        Assert.True(_torrent.Picker.InEndgame());
        Assert.Equal(long.MaxValue, link.Expectation.WakeBelow);
        Assert.Equal(400 * 16384L, link.Expectation.Bytes);
    }

    [Fact]
    public void A_choke_that_drops_the_requests_tells_the_connection_nothing_is_coming()
    {
        var (link, peer) = Seed(fast: false);
        Assert.True(Deliver(peer, Requests(link).Take(2).ToList()));

        _scheduler.OnChoke(peer);

        Assert.Equal(BlockExpectation.Nothing(2 * 16384L), link.Expectation);
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
    public void Each_arriving_block_makes_room_for_its_replacement_and_one_more_request()
    {
        var (link, peer) = Seed();
        var first = Requests(link)[0];

        Assert.True(_scheduler.OnBlock(peer, _torrent.Deliver(peer.Id, first)));
        _scheduler.FillPending(downloading: true);

        Assert.Equal(RequestDepth.Initial + 2, Requests(link).Count);
        Assert.Equal(RequestDepth.Initial + 1, peer.Outstanding.Count);
        Assert.Equal(RequestDepth.Initial + 1, peer.Depth);
        Assert.Equal(16384, _scheduler.Downloaded);
    }

    [Fact]
    public void A_peer_that_keeps_up_doubles_its_pipeline_each_round_trip_up_to_the_most_allowed()
    {
        var (link, peer) = Seed();
        peer.RequestQueueLimit = 2000;

        // Round trips: every request in flight is answered, then the pipeline is topped up.
        var sizes = new List<int>();
        for (var trip = 0; trip < 4; trip++)
        {
            var inFlight = peer.Outstanding.Count;
            sizes.Add(inFlight);
            Assert.True(Deliver(peer, Requests(link).TakeLast(inFlight).ToList()));
            _scheduler.FillPending(downloading: true);
        }

        Assert.Equal([16, 32, 64, 128], sizes);
        Assert.Equal(RequestDepth.Maximum, peer.Depth);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Deliver(peer, Requests(link).TakeLast(1).ToList()));
        }

        Assert.Equal(RequestDepth.Maximum, peer.Depth);
    }

    [Fact]
    public void The_pipeline_grows_no_further_than_the_queue_the_peer_named()
    {
        var (link, peer) = Seed();
        peer.RequestQueueLimit = 20;

        Assert.True(Deliver(peer, Requests(link).ToList()));
        _scheduler.FillPending(downloading: true);

        Assert.Equal(20, peer.Depth);
        Assert.Equal(20, peer.Outstanding.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the first tick counts from when requests began
    public void The_clock_keeps_the_pipeline_a_peer_earned_while_its_rate_meter_has_not_seen_it_yet(bool tickedBefore)
    {
        var (link, peer) = Seed();
        peer.RequestQueueLimit = 2000;
        if (tickedBefore)
        {
            _scheduler.Tick(_time.GetTimestamp(), downloading: true);
        }
        for (var trip = 0; trip < 4; trip++)
        {
            Assert.True(Deliver(peer, Requests(link).TakeLast(peer.Outstanding.Count).ToList()));
            _scheduler.FillPending(downloading: true);
        }

        Assert.Equal(RequestDepth.Maximum, peer.Depth);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(0, peer.DownloadRate.BytesPerSecond);

        _scheduler.Tick(_time.GetTimestamp(), downloading: true);

        Assert.Equal(RequestDepth.Maximum, peer.Depth);
    }

    [Fact]
    public void The_clock_brings_a_slow_peers_pipeline_back_to_its_rate()
    {
        var (link, peer) = Seed();
        _scheduler.Tick(_time.GetTimestamp(), downloading: true);
        Assert.True(Deliver(peer, Requests(link).Take(8).ToList()));
        _scheduler.FillPending(downloading: true);
        Assert.Equal(RequestDepth.Initial + 8, peer.Depth);

        // 8 blocks in 10 s: 13 KB/s, a pipeline of a few requests, held to the initial 16.
        _time.Advance(TimeSpan.FromSeconds(10));
        _scheduler.Tick(_time.GetTimestamp(), downloading: true);

        Assert.Equal(RequestDepth.Initial, peer.Depth);
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
        var block = firstPeer.Outstanding.Oldest;
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

    [Fact]
    public void A_peer_with_no_piece_left_to_start_for_lack_of_memory_waits_and_is_topped_up_when_a_piece_is_verified()
    {
        // Memory for two pieces (four blocks): the first peer takes them; the second must not get copies of its blocks.
        _scheduler = Scheduler(2L * _torrent.Info.PieceLength);
        var (first, firstPeer) = Seed();
        var (second, secondPeer) = Seed();
        Assert.Equal(4, firstPeer.Outstanding.Count);
        Assert.Empty(secondPeer.Outstanding);
        Assert.Empty(Requests(second));
        Assert.False(_torrent.Picker.InEndgame());

        // The first peer wants no more than the piece it will still hold; when its first piece is verified, the second
        // peer gets the memory (its queue holds two, so delivering does not grow its pipeline either).
        firstPeer.RequestQueueLimit = 2;
        firstPeer.Depth = 2;
        var firstPiece = Requests(first).Where(r => r.Index == firstPeer.Outstanding.Oldest.Piece).ToList();
        Assert.True(Deliver(firstPeer, firstPiece));
        _scheduler.FillPending(downloading: true);

        var asked = Requests(second);
        Assert.Equal(2, asked.Count);
        Assert.DoesNotContain(asked, r => Requests(first).Any(f => f.Index == r.Index));
    }

    [Fact]
    public void Blocks_that_cross_their_cancel_are_late_copies_and_never_count_as_blocks_nobody_asked_for()
    {
        // A full pipeline times out and is cancelled; another peer delivers those blocks and their pieces are verified;
        // then every one of the first peer's copies arrives anyway (sent before our cancels reached it).
        var (slow, slowPeer) = Seed();
        slowPeer.Depth = RequestDepth.Maximum;
        _scheduler.Wake(slowPeer);
        _scheduler.FillPending(downloading: true);
        var inFlight = Requests(slow);
        Assert.Equal(RequestDepth.Maximum, inFlight.Count);
        _time.Advance(TimeSpan.FromSeconds(21));
        _scheduler.Tick(_time.GetTimestamp(), downloading: true);
        Assert.Equal(RequestDepth.Maximum, slow.Queued.Count(m => m.Type == PeerMessageType.Cancel));

        var (fast, fastPeer) = Seed();
        while (Requests(fast).Count > 0)
        {
            var asked = Requests(fast);
            fast.Queued.Clear();
            Assert.True(Deliver(fastPeer, asked));
            fastPeer.Depth = RequestDepth.Maximum;
            _scheduler.FillPending(downloading: true);
            if (inFlight.All(r => _torrent.Picker.Have[r.Index]))
            {
                break;
            }
        }

        Assert.All(inFlight, r => Assert.True(_torrent.Picker.Have[r.Index]));
        var wastedBefore = _scheduler.Wasted;
        Assert.True(Deliver(slowPeer, inFlight));

        Assert.Null(slow.ClosedFor);
        Assert.Equal(0, slowPeer.UnexpectedBlocks);
        Assert.Equal(RequestDepth.Maximum * 16384L, _scheduler.Wasted - wastedBefore);

        // A block it was never asked for still counts.
        var never = Enumerable.Range(0, _torrent.Info.PieceCount).First(i => !inFlight.Any(r => r.Index == i) && !_torrent.Picker.Have[i]);
        Assert.True(_scheduler.OnBlock(slowPeer, new IncomingMessage(PeerMessageType.Piece, never, 0, 16384, Outcome: BlockOutcome.Unexpected)));
        Assert.Equal(1, slowPeer.UnexpectedBlocks);
    }

    [Fact]
    public void A_block_the_peer_was_not_asked_for_is_not_progress_even_when_its_piece_takes_it()
    {
        var (_, seed) = Seed();
        var (_, stranger) = Seed(); // asked for blocks of other pieces
        var lastDelivery = stranger.LastBlockAt;
        var piece = seed.Outstanding.Oldest.Piece;
        Assert.DoesNotContain(stranger.Outstanding, b => b.Piece == piece);

        _time.Advance(TimeSpan.FromSeconds(30));
        var unasked = _torrent.Deliver(stranger.Id, OutgoingMessage.Request(piece, 0, 16384));
        Assert.Equal(BlockOutcome.Accepted, unasked.Outcome);
        Assert.True(_scheduler.OnBlock(stranger, unasked));

        Assert.True(_watchdog.IsStalled(_time.GetTimestamp(), TimeSpan.FromSeconds(30)));
        Assert.Equal(lastDelivery, stranger.LastBlockAt);
        Assert.Equal(1, stranger.UnexpectedBlocks);

        // A block it was asked for is.
        var asked = stranger.Outstanding.Oldest;
        Assert.True(_scheduler.OnBlock(stranger, _torrent.Deliver(stranger.Id, OutgoingMessage.Request(asked.Piece, asked.Begin, 16384))));
        Assert.False(_watchdog.IsStalled(_time.GetTimestamp(), TimeSpan.FromSeconds(30)));
        Assert.Equal(_time.GetTimestamp(), stranger.LastBlockAt);
    }
}
