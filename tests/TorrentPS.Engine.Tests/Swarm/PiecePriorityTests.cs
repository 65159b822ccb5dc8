using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Storage;
using TorrentPS.Engine.Tests.Swarm.Parts;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>
/// The picker's choice of new pieces under a plan: priorities (high first, rarest first within one), pieces never
/// wanted, first and last pieces of files, sequential order within a window, and a new plan taken while running.
/// </summary>
public sealed class PiecePriorityTests
{
    private const int PieceLength = 2 * ActivePiece.BlockSize;

    private static PeerState Seed() => new(new RecordingLink(), 0, 1) { PeerChoking = false, IsSeed = true };

    private static PeerState Holder(int pieces, Func<int, bool> has)
    {
        var peer = new PeerState(new RecordingLink(), 0, 1) { PeerChoking = false, Have = new Bitfield(pieces) };
        for (var i = 0; i < pieces; i++)
        {
            peer.Have[i] = has(i);
        }

        return peer;
    }

    private static Func<int, PieceProgress?> Start() => index => new PieceProgress(new ActivePiece(index, PieceLength), 0);

    private static FilePriority[] Priorities(int count, FilePriority priority = FilePriority.Normal, params (int Index, FilePriority Priority)[] others)
    {
        var priorities = Enumerable.Repeat(priority, count).ToArray();
        foreach (var (index, p) in others)
        {
            priorities[index] = p;
        }

        return priorities;
    }

    private static Bitfield Have(int count, params int[] pieces)
    {
        var have = new Bitfield(count);
        foreach (var piece in pieces)
        {
            have[piece] = true;
        }

        return have;
    }

    /// <summary>The pieces started by picking one block at a time from <paramref name="peer"/>, each piece finished (verified) before the next pick.</summary>
    private static List<int> PickOneByOne(PiecePicker picker, PeerState peer, int count)
    {
        var order = new List<int>();
        for (var n = 0; n < count; n++)
        {
            var output = new List<BlockRef>();
            picker.Pick(peer, 1, output, Start());
            if (output.Count == 0)
            {
                break;
            }

            order.Add(output[0].Piece);
            picker.MarkVerified(output[0].Piece);
        }

        return order;
    }

    [Fact]
    public void High_priority_pieces_come_before_rarer_pieces_of_lower_priority()
    {
        // Past the random first pieces: 4 pieces here already.
        var picker = new PiecePicker(Have(12, 0, 1, 2, 3), PiecePlan.Of(Priorities(12, FilePriority.Normal, (9, FilePriority.High), (10, FilePriority.High))));
        var peer = Holder(12, _ => true);
        picker.AddAvailability(peer.Have!);
        picker.AddAvailability(Holder(12, i => i != 5 && i != 9).Have!); // 5 is the rarest Normal piece, 9 the rarer High one

        var order = PickOneByOne(picker, peer, 3);

        Assert.Equal([9, 10, 5], order);
    }

    [Fact]
    public void Within_a_priority_the_rarest_piece_comes_first()
    {
        var picker = new PiecePicker(Have(10, 0, 1, 2, 3), PiecePlan.Of(Priorities(10, FilePriority.Low, (6, FilePriority.High), (7, FilePriority.High), (8, FilePriority.High))));
        var peer = Holder(10, _ => true);
        picker.AddAvailability(peer.Have!);
        picker.AddAvailability(Holder(10, i => i != 8).Have!);

        Assert.Equal([8, 6, 7], PickOneByOne(picker, peer, 3));
    }

    [Fact]
    public void Low_priority_pieces_come_after_normal_ones_and_skipped_pieces_never()
    {
        var priorities = Priorities(8, FilePriority.Low, (2, FilePriority.Normal), (5, FilePriority.Normal), (3, FilePriority.Skip), (7, FilePriority.Skip));
        var picker = new PiecePicker(new Bitfield(8), PiecePlan.Of(priorities), random: new Random(3));

        var order = PickOneByOne(picker, Seed(), 10);

        Assert.Equal(6, order.Count);
        Assert.Equal([2, 5], order.Take(2).Order());
        Assert.DoesNotContain(3, order);
        Assert.DoesNotContain(7, order);
        Assert.True(picker.IsComplete);
    }

    [Fact]
    public void The_random_first_pieces_are_drawn_from_the_highest_priority()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var picker = new PiecePicker(new Bitfield(100), PiecePlan.Of(Priorities(100, FilePriority.Normal, (40, FilePriority.High), (41, FilePriority.High), (77, FilePriority.High))), random: new Random(seed));
            var output = new List<BlockRef>();
            picker.Pick(Seed(), 1, output, Start());
            Assert.Contains(output[0].Piece, new[] { 40, 41, 77 });
        }
    }

    [Fact]
    public void Sequential_takes_pieces_in_order_high_priority_files_first()
    {
        var priorities = Priorities(10, FilePriority.Normal, (6, FilePriority.High), (7, FilePriority.High), (2, FilePriority.Skip));
        var picker = new PiecePicker(new Bitfield(10), PiecePlan.Of(priorities), sequential: true, random: new Random(1));

        Assert.Equal([6, 7, 0, 1, 3, 4, 5, 8, 9], PickOneByOne(picker, Seed(), 20));
    }

    [Fact]
    public void Sequential_skips_pieces_the_peer_lacks_and_pieces_already_started()
    {
        var picker = new PiecePicker(new Bitfield(10), PiecePlan.Of(Priorities(10)), sequential: true);
        var first = new List<BlockRef>();
        picker.Pick(Seed(), 2, first, Start()); // piece 0, both blocks

        var partial = Holder(10, i => i != 1);
        var output = new List<BlockRef>();
        picker.Pick(partial, 4, output, Start());

        Assert.Equal([0, 0], first.Select(b => b.Piece));
        Assert.Equal([2, 2, 3, 3], output.Select(b => b.Piece));
    }

    [Fact]
    public void Sequential_starts_new_pieces_only_within_the_window()
    {
        var picker = new PiecePicker(new Bitfield(40), PiecePlan.Of(Priorities(40)), sequential: true) { SequentialWindow = 4 };
        var busy = Seed();
        busy.Outstanding.Add(new BlockRef(39, 0)); // has work outstanding: not idle

        var output = new List<BlockRef>();
        picker.Pick(busy, 100, output, Start());

        Assert.Equal([0, 1, 2, 3], output.Select(b => b.Piece).Distinct());

        // The window moves with the first piece still missing.
        picker.MarkVerified(0);
        var more = new List<BlockRef>();
        picker.Pick(busy, 100, more, Start());
        Assert.Equal([4, 4], more.Select(b => b.Piece));
    }

    [Fact]
    public void Sequential_gives_an_idle_peer_one_piece_past_the_window_rather_than_nothing()
    {
        var picker = new PiecePicker(new Bitfield(40), PiecePlan.Of(Priorities(40)), sequential: true) { SequentialWindow = 4 };
        var lacksTheStart = Holder(40, i => i >= 10);

        var output = new List<BlockRef>();
        picker.Pick(lacksTheStart, 100, output, Start());

        Assert.Equal([10, 10], output.Select(b => b.Piece));
    }

    [Fact]
    public void The_sequential_window_covers_the_peers_pipelines_within_the_memory_allowed()
    {
        // 256 KiB pieces (16 blocks): 3 peers at depth 64 span 12 pieces; four times that, with memory for 64 pieces.
        Assert.Equal(48, PiecePicker.SequentialWindowFor(3 * 64, 256 * 1024, 16L * 1024 * 1024));

        // Memory for 16 pieces only: no more than that.
        Assert.Equal(16, PiecePicker.SequentialWindowFor(3 * 64, 256 * 1024, 4L * 1024 * 1024));

        // Shallow pipelines: half the pieces the memory holds, as much room as rarest first has.
        Assert.Equal(128, PiecePicker.SequentialWindowFor(16, 256 * 1024, 64L * 1024 * 1024));

        // No peer yet, little memory: the default.
        Assert.Equal(PiecePicker.DefaultSequentialWindow, PiecePicker.SequentialWindowFor(0, 256 * 1024, 4L * 1024 * 1024));
    }

    [Fact]
    public void First_and_last_pieces_of_each_chosen_file_come_first()
    {
        // 8 pieces of 16 bytes: a.bin 0..40 (pieces 0-2), b.bin 40..100 (pieces 2-6), c.bin 100..128 (pieces 6-7, skipped).
        using var t = StorageTorrent.Multi("edges", 16, TestFile.Random("a.bin", 40, 1), TestFile.Random("b.bin", 60, 2), TestFile.Random("c.bin", 28, 3));
        var selection = FileSelection.FromPatterns(t.Torrent, ["a.bin", "b.bin"]);
        var layout = FileLayout.For(t.Torrent);
        var plan = PiecePlan.For(t.Torrent, selection.WantedPieces(layout), selection.PiecePriorities(layout), selection, firstAndLastPiecesFirst: true);
        var picker = new PiecePicker(new Bitfield(8), plan, sequential: true);

        var order = PickOneByOne(picker, Seed(), 20);

        // Edges: a.bin 0 and 2, b.bin 2 and 6 (piece 6 is shared with the skipped c.bin, and wanted); then the rest in order.
        Assert.Equal([0, 2, 6, 1, 3, 4, 5], order);
        Assert.Equal([0, 2, 6], PiecePlan.EdgePieces(t.Torrent, selection).Indexes());
    }

    [Fact]
    public void A_new_plan_drops_pieces_in_progress_that_are_no_longer_wanted_and_counts_again()
    {
        var picker = new PiecePicker(new Bitfield(6), PiecePlan.Of(Priorities(6)), sequential: true);
        var output = new List<BlockRef>();
        picker.Pick(Seed(), 4, output, Start()); // pieces 0 and 1 in progress
        picker.MarkVerified(0);

        var dropped = new List<int>();
        picker.Replan(PiecePlan.Of(Priorities(6, FilePriority.Skip, (0, FilePriority.Normal), (4, FilePriority.High), (5, FilePriority.Normal))), dropped);

        Assert.Equal([1], dropped);
        Assert.Null(picker.GetProgress(1));
        Assert.Equal(2, picker.MissingCount); // 4 and 5; 0 is here
        Assert.Equal([4, 5], PickOneByOne(picker, Seed(), 10));
        Assert.True(picker.IsComplete);
    }

    [Fact]
    public void A_new_plan_that_wants_more_makes_a_complete_picker_incomplete()
    {
        var picker = new PiecePicker(Have(4, 0, 1), PiecePlan.Of(Priorities(4, FilePriority.Normal, (2, FilePriority.Skip), (3, FilePriority.Skip))));
        Assert.True(picker.IsComplete);

        picker.Replan(PiecePlan.Of(Priorities(4)), []);

        Assert.False(picker.IsComplete);
        Assert.Equal(2, picker.MissingCount);
        Assert.True(picker.IsWantedAndMissing(3));
    }
}
