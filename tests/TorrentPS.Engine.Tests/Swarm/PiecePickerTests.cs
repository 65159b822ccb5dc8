using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class PiecePickerTests
{
    private const int PieceLength = 2 * ActivePiece.BlockSize;

    private static PeerState Peer(int id, Func<int, bool>? has = null, int pieces = 10)
    {
        var link = new FakeLink(id);
        var state = new PeerState(link, 0, 1) { PeerChoking = false };
        if (has is null)
        {
            state.IsSeed = true;
        }
        else
        {
            state.Have = new Bitfield(pieces);
            for (var i = 0; i < pieces; i++)
            {
                state.Have[i] = has(i);
            }
        }

        return state;
    }

    private static Func<int, PieceProgress?> Start() => index => new PieceProgress(new ActivePiece(index, PieceLength), 0);

    [Fact]
    public void The_first_pieces_are_random_then_rarest_first()
    {
        var picked = new HashSet<int>();
        for (var seed = 0; seed < 10; seed++)
        {
            var picker = new PiecePicker(new Bitfield(100), random: new Random(seed));
            var blocks = new List<BlockRef>();
            picker.Pick(Peer(1, pieces: 100), 2, blocks, Start());
            picked.Add(blocks[0].Piece);
        }

        Assert.True(picked.Count > 3, "random first pieces differ between runs");

        var have = new Bitfield(10);
        for (var i = 0; i < PiecePicker.RandomFirstPieces; i++)
        {
            have[i] = true;
        }

        var rarest = new PiecePicker(have);
        var everything = Peer(1, _ => true);
        rarest.AddAvailability(everything.Have!);
        var most = Peer(2, i => i != 8);
        rarest.AddAvailability(most.Have!);
        var output = new List<BlockRef>();
        rarest.Pick(everything, 2, output, Start());
        Assert.Equal(8, output[0].Piece);
    }

    [Fact]
    public void Open_blocks_of_started_pieces_come_before_new_pieces()
    {
        var have = new Bitfield(10);
        have.SetAll();
        have[3] = have[6] = false;
        var picker = new PiecePicker(have);
        var one = new List<BlockRef>();
        picker.Pick(Peer(1), 1, one, Start());
        var started = one[0].Piece;

        var next = new List<BlockRef>();
        picker.Pick(Peer(2), 2, next, Start());
        Assert.Equal(started, next[0].Piece);
        Assert.Equal(1, next[0].Block);
    }

    [Fact]
    public void New_pieces_stop_when_the_start_function_refuses_for_lack_of_memory()
    {
        var picker = new PiecePicker(new Bitfield(10));
        var output = new List<BlockRef>();
        var started = 0;
        picker.Pick(Peer(1), 100, output, index => ++started > 2 ? null : new PieceProgress(new ActivePiece(index, PieceLength), 0));
        Assert.Equal(4, output.Count);
    }

    [Fact]
    public void Endgame_gives_a_peer_with_nothing_outstanding_one_copy_the_block_asked_last_and_a_block_at_most_two_requests()
    {
        var have = new Bitfield(2);
        have[0] = true;
        var picker = new PiecePicker(have);
        var first = Peer(1, pieces: 2);
        var taken = new List<BlockRef>();
        picker.Pick(first, 10, taken, Start());
        taken.ForEach(block => first.Outstanding.Add(block));
        Assert.Equal([new BlockRef(1, 0), new BlockRef(1, 1)], taken);
        Assert.True(picker.InEndgame());

        // A peer still busy with its own requests gets no copies.
        var again = new List<BlockRef>();
        picker.Pick(first, 10, again, Start());
        Assert.Empty(again);

        var second = new List<BlockRef>();
        picker.Pick(Peer(2, pieces: 2), 10, second, Start());
        Assert.Equal([new BlockRef(1, 1)], second);

        var third = new List<BlockRef>();
        picker.Pick(Peer(3, pieces: 2), 10, third, Start());
        Assert.Equal([new BlockRef(1, 0)], third);

        var fourth = new List<BlockRef>();
        picker.Pick(Peer(4, pieces: 2), 10, fourth, Start());
        Assert.Empty(fourth); // two requests per block at most
    }

    [Fact]
    public void A_peer_that_can_start_no_piece_for_lack_of_memory_gets_no_copies_of_blocks_asked_of_others()
    {
        var picker = new PiecePicker(new Bitfield(10));
        var memoryForTwo = 0;
        PieceProgress? StartTwo(int index) => ++memoryForTwo > 2 ? null : new PieceProgress(new ActivePiece(index, PieceLength), 0);
        var first = Peer(1);
        var taken = new List<BlockRef>();
        picker.Pick(first, 10, taken, StartTwo);
        taken.ForEach(block => first.Outstanding.Add(block));
        Assert.Equal(4, taken.Count);

        var second = new List<BlockRef>();
        picker.Pick(Peer(2), 10, second, StartTwo);

        Assert.Empty(second);
        Assert.False(picker.InEndgame());
        Assert.All(taken, block => Assert.Equal(1, picker.GetProgress(block.Piece)!.RequestCount(block.Block)));
    }

    [Fact]
    public void Only_wanted_pieces_are_picked_and_completion_counts_only_them()
    {
        var wanted = new Bitfield(10);
        wanted[7] = true;
        var picker = new PiecePicker(new Bitfield(10), wanted);
        Assert.Equal(1, picker.MissingCount);
        var output = new List<BlockRef>();
        picker.Pick(Peer(1), 100, output, Start());
        Assert.All(output, b => Assert.Equal(7, b.Piece));
        picker.MarkVerified(7);
        Assert.True(picker.IsComplete);
    }

    [Fact]
    public void A_choked_peer_is_asked_only_for_pieces_it_allowed_fast()
    {
        var picker = new PiecePicker(new Bitfield(10));
        var peer = Peer(1);
        peer.PeerChoking = true;
        var none = new List<BlockRef>();
        picker.Pick(peer, 10, none, Start());
        Assert.Empty(none);

        peer.AllowedFast.Add(5);
        var fast = new List<BlockRef>();
        picker.Pick(peer, 10, fast, Start());
        Assert.All(fast, b => Assert.Equal(5, b.Piece));
        Assert.NotEmpty(fast);
    }

    [Fact]
    public void Released_blocks_are_open_again()
    {
        var picker = new PiecePicker(new Bitfield(1));
        var output = new List<BlockRef>();
        picker.Pick(Peer(1, pieces: 1), 1, output, Start());
        picker.Release(output[0]);
        var again = new List<BlockRef>();
        picker.Pick(Peer(2, pieces: 1), 1, again, Start());
        Assert.Equal(output[0], again[0]);
    }

    [Fact]
    public void A_piece_that_failed_its_hash_is_left_to_a_peer_that_did_not_help_break_it()
    {
        var picker = FailedPiece(holders: 3, suspects: [1, 2]);

        var fromSuspect = new List<BlockRef>();
        picker.Pick(Peer(1, pieces: 1, has: _ => true), 2, fromSuspect, Start());
        var fromOther = new List<BlockRef>();
        picker.Pick(Peer(3, pieces: 1, has: _ => true), 2, fromOther, Start());

        Assert.Empty(fromSuspect);
        Assert.Equal([new BlockRef(0, 0), new BlockRef(0, 1)], fromOther);
    }

    [Fact]
    public void A_piece_that_failed_its_hash_is_asked_again_of_its_suspects_when_only_they_have_it()
    {
        // Two peers, both with blocks in the broken copy: skipping both stalled the download for good.
        var picker = FailedPiece(holders: 2, suspects: [1, 2]);

        var output = new List<BlockRef>();
        picker.Pick(Peer(2, pieces: 1, has: _ => true), 2, output, Start());

        Assert.Equal([new BlockRef(0, 0), new BlockRef(0, 1)], output);
    }

    /// <summary>A one-piece torrent whose piece is active again after failing its hash, with blocks from <paramref name="suspects"/>.</summary>
    private static PiecePicker FailedPiece(int holders, int[] suspects)
    {
        var picker = new PiecePicker(new Bitfield(1));
        for (var i = 0; i < holders; i++)
        {
            picker.AddAvailability(0);
        }

        var first = new List<BlockRef>();
        picker.Pick(Peer(suspects[0], pieces: 1, has: _ => true), 2, first, Start());
        picker.GetProgress(0)!.Suspects = suspects;
        foreach (var block in first)
        {
            picker.Release(block);
        }

        return picker;
    }

    private sealed class FakeLink(int id) : IPeerLink
    {
        public int Id => id;

        public System.Net.IPEndPoint EndPoint { get; } = new(System.Net.IPAddress.Loopback, 1);

        public TorrentPS.Engine.Peers.PeerId PeerId { get; } = TorrentPS.Engine.Peers.PeerId.Generate();

        public bool IsOutgoing => false;

        public bool FastExtension => true;

        public bool ExtensionProtocol => true;

        public long DownloadedBytes => 0;

        public long UploadedBytes => 0;

        public int QueuedUploads => 0;

        public bool AmChoking { get; set; }

        public void Close(string reason)
        {
        }

        public void Enqueue(in TorrentPS.Engine.Wire.OutgoingMessage message)
        {
        }

        public void Flush()
        {
        }

        public void Expect(in BlockExpectation expectation)
        {
        }

        public void SetPieceCount(int pieceCount)
        {
        }

        public List<TorrentPS.Engine.Wire.OutgoingMessage> TakeUploads() => [];
    }
}
