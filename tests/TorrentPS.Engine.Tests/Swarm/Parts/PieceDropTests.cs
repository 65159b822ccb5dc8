using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>
/// What follows a new plan, part by part: pieces in progress no longer wanted are dropped (requests cancelled, buffers
/// returned, also while a connection thread is copying a block in), the ledger counts the wanted bytes again, and the
/// peers' interest follows what we still want.
/// </summary>
public sealed class PieceDropTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PeerOutbox _outbox = new();
    private const int Pieces = 16;

    private readonly PartsTorrent _torrent = new(pieces: Pieces);
    private readonly PeerRoster _roster;
    private readonly PeerAvailability _availability;
    private readonly RequestScheduler _scheduler;
    private readonly PieceLedger _ledger;

    public PieceDropTests()
    {
        _roster = new PeerRoster(new RosterSettings(50, 8, Peers.PeerId.Generate(), _ => false), new RecordingDialer(), new CountingBudget(), _outbox, _ => { }, _time, NullLogger.Instance, "t");
        _availability = new PeerAvailability(_outbox, _roster);
        _availability.Adopt(_torrent.Picker, []);
        var watchdog = new ProgressWatchdog(_time, _time.GetTimestamp());
        _scheduler = new RequestScheduler(_roster, _outbox, watchdog, TimeSpan.FromSeconds(20), 64L * 1024 * 1024, _time, NullLogger.Instance, "t");
        _scheduler.Begin(_torrent.Picker, _torrent.Context);
        _ledger = new PieceLedger(_roster, watchdog, TimeSpan.FromSeconds(5), _ => { }, _time, NullLogger.Instance, "t");
        _ledger.Begin(_torrent.Picker, _torrent.Context, _torrent.Have, worthSaving: false);
    }

    private (RecordingLink Link, PeerState Peer) Seed()
    {
        var link = new RecordingLink(outgoing: false);
        var peer = _roster.Admit(link, stopping: false)!;
        _availability.OnHaveAll(peer);
        _scheduler.OnUnchoke(peer);
        _scheduler.FillPending(downloading: true);
        return (link, peer);
    }

    private static PiecePlan Only(int pieces, params int[] wanted)
    {
        var priorities = new FilePriority[pieces];
        foreach (var piece in wanted)
        {
            priorities[piece] = FilePriority.Normal;
        }

        return PiecePlan.Of(priorities);
    }

    /// <summary>The picker takes <paramref name="plan"/>; dropped pieces are cancelled and abandoned as the loop does.</summary>
    private List<int> Replan(PiecePlan plan)
    {
        var dropped = new List<int>();
        _torrent.Picker.Replan(plan, dropped);
        foreach (var index in dropped)
        {
            _scheduler.DropPiece(index);
            _torrent.Context.Assembler.Abandon(index);
        }

        _ledger.OnReplanned();
        return dropped;
    }

    [Fact]
    public void A_dropped_piece_has_its_requests_cancelled_its_buffer_returned_and_the_peer_asked_for_others()
    {
        var (link, peer) = Seed();
        var requested = peer.Outstanding.Select(b => b.Piece).Distinct().ToList();
        var piece = _torrent.Context.Assembler.Get(requested[0])!;
        var buffered = _torrent.Context.Assembler.BufferedBytes;
        link.Queued.Clear();

        var keep = Enumerable.Range(0, Pieces).Where(i => i != requested[0]).ToArray();
        Assert.Equal([requested[0]], Replan(Only(Pieces, keep)));

        Assert.Equal(buffered - _torrent.Info.PieceLength, _torrent.Context.Assembler.BufferedBytes);
        Assert.False(piece.HoldsBuffer);
        Assert.Null(_torrent.Context.Assembler.Get(requested[0]));
        var cancels = link.Queued.Where(m => m.Type == PeerMessageType.Cancel).ToList();
        Assert.Equal(2, cancels.Count);
        Assert.All(cancels, m => Assert.Equal(requested[0], m.Index));
        Assert.DoesNotContain(peer.Outstanding, b => b.Piece == requested[0]);

        _scheduler.FillPending(downloading: true);
        Assert.Contains(link.Queued, m => m.Type == PeerMessageType.Request && !requested.Contains(m.Index));
    }

    [Fact]
    public void A_block_of_an_abandoned_piece_arriving_late_is_not_copied_in()
    {
        var assembler = _torrent.Context.Assembler;
        var piece = assembler.Start(3);
        var block = _torrent.Content.AsSpan((int)(3 * _torrent.Info.PieceLength), ActivePiece.BlockSize).ToArray();

        Assert.Equal(BlockOutcome.Accepted, piece.TryAccept(0, block, peerId: 1));
        assembler.Abandon(3);

        Assert.False(piece.HoldsBuffer);
        Assert.Equal(BlockOutcome.Duplicate, piece.TryAccept(ActivePiece.BlockSize, block, peerId: 1));
        Assert.Equal(BlockOutcome.Unexpected, assembler.Deliver(1, 3, ActivePiece.BlockSize, block));
        Assert.Equal(0, assembler.BufferedBytes);
    }

    [Fact]
    public void A_piece_abandoned_after_failing_its_hash_returns_its_buffer()
    {
        var assembler = _torrent.Context.Assembler;
        var piece = assembler.Start(2);
        var offset = (int)(2 * _torrent.Info.PieceLength);
        var bad = _torrent.Content.AsSpan(offset, (int)_torrent.Info.PieceLength).ToArray();
        bad[0] ^= 0xFF;
        assembler.Deliver(1, 2, 0, bad.AsSpan(0, ActivePiece.BlockSize));
        assembler.Deliver(1, 2, ActivePiece.BlockSize, bad.AsSpan(ActivePiece.BlockSize));
        Assert.Equal([2], _torrent.Failed.Select(f => f.Index));
        Assert.True(piece.HoldsBuffer);

        assembler.Abandon(2);

        Assert.False(piece.HoldsBuffer);
    }

    [Fact]
    public void Abandoning_while_threads_deliver_blocks_returns_the_buffer_once_and_never_writes_into_it_after()
    {
        // A piece of 8 blocks, delivered by two threads while the loop abandons it: whatever the interleaving, the piece
        // ends with its buffer returned, and it is either written whole and good, or not at all.
        var content = Engine.Tests.Metainfo.TestTorrent.Content(8 * ActivePiece.BlockSize, seed: 11);
        var info = TorrentInfo.Parse(Engine.Tests.Metainfo.TestTorrent.SingleFile("race.bin", content, 8 * ActivePiece.BlockSize).ToBytes());
        for (var round = 0; round < 300; round++)
        {
            var data = new MemoryTorrentData(info, content);
            var events = new CountingEvents();
            var assembler = new PieceAssembler(info, data.Storage, events, maxBufferedBytes: 8 * ActivePiece.BlockSize);
            var piece = assembler.Start(0);
            using var start = new Barrier(3);
            void Deliver(int from)
            {
                start.SignalAndWait();
                for (var b = from; b < 8; b += 2)
                {
                    assembler.Deliver(from + 1, 0, b * ActivePiece.BlockSize, content.AsSpan(b * ActivePiece.BlockSize, ActivePiece.BlockSize));
                }
            }

            var even = new Thread(() => Deliver(0));
            var odd = new Thread(() => Deliver(1));
            even.Start();
            odd.Start();
            start.SignalAndWait();
            assembler.Abandon(0);
            Assert.True(even.Join(TimeSpan.FromSeconds(10)) && odd.Join(TimeSpan.FromSeconds(10)));

            Assert.False(piece.HoldsBuffer, $"round {round}: the buffer was not returned");
            Assert.Equal(0, events.Failed);
            if (events.Verified == 1)
            {
                Assert.Equal(content, data.Content);
            }
            else
            {
                Assert.Equal(0, events.Verified);
                Assert.All(data.Content, b => Assert.Equal(0, b));
            }
        }
    }

    [Fact]
    public void The_ledger_counts_the_wanted_bytes_again_under_a_new_plan()
    {
        Assert.True(_ledger.OnVerified(1));
        Assert.Equal(Pieces * _torrent.Info.PieceLength, _ledger.WantedBytes);

        Replan(Only(Pieces, 1, 2, 3));

        Assert.Equal(3 * _torrent.Info.PieceLength, _ledger.WantedBytes);
        Assert.Equal(_torrent.Info.PieceLength, _ledger.VerifiedWantedBytes);
        Assert.NotNull(_ledger.TakeCheckpoint(_time.GetTimestamp(), force: true));
    }

    [Fact]
    public void Peers_that_have_nothing_we_still_want_hear_not_interested_and_interested_again_when_we_do()
    {
        var link = new RecordingLink(outgoing: false);
        var peer = _roster.Admit(link, stopping: false)!;
        var has = new Bitfield(Pieces);
        has[6] = has[7] = true;
        _availability.OnBitfield(peer, has.ToArray());
        Assert.True(peer.AmInterested);

        var wake = new List<PeerState>();
        _torrent.Picker.Replan(Only(Pieces, 0, 1), []);
        _availability.Recount(wake);
        Assert.False(peer.AmInterested);
        Assert.Equal(PeerMessageType.NotInterested, link.Queued[^1].Type);
        Assert.Empty(wake);

        _torrent.Picker.Replan(Only(Pieces, 0, 7), []);
        _availability.Recount(wake);
        Assert.True(peer.AmInterested);
        Assert.Equal(1, peer.Interesting);
        Assert.Equal(PeerMessageType.Interested, link.Queued[^1].Type);
        Assert.Equal([peer], wake);
    }

    private sealed class CountingEvents : IPieceEvents
    {
        private int _verified;
        private int _failed;

        public int Verified => Volatile.Read(ref _verified);

        public int Failed => Volatile.Read(ref _failed);

        public void PieceVerified(int index) => Interlocked.Increment(ref _verified);

        public void PieceFailed(int index, int[] contributors) => Interlocked.Increment(ref _failed);

        public void StorageFailed(int index, Exception error) => throw error;
    }
}
