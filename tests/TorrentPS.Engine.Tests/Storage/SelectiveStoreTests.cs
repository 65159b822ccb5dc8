using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>
/// The piece store with files skipped: skipped files are never created, pieces shared with a chosen file are kept whole
/// in the part file, reads find every byte where it lives, and a later selection takes the bytes into the files.
/// </summary>
public sealed class SelectiveStoreTests : IDisposable
{
    // 16-byte pieces. a.bin 0..20 (pieces 0-1), padding 20..24, b.bin 24..58 (pieces 1-3), c.bin 58..61 (piece 3),
    // d.bin 61..70 (pieces 3-4). Piece 3 (48..64) holds b.bin's last 10 bytes, all of c.bin and d.bin's first 3.
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "sel",
        16,
        TestFile.Random("a.bin", 20, 1),
        TestFile.Padding(4),
        TestFile.Random("x/b.bin", 34, 2),
        TestFile.Random("c.bin", 3, 3),
        TestFile.Random("d.bin", 9, 4));

    public void Dispose() => _t.Dispose();

    private FileLayout Layout => FileLayout.For(_t.Torrent);

    private string PartPath => PartFile.PathFor(_t.Location);

    private PieceStore Store(FileSelection? selection, bool readOnly = false)
        => new(Layout, _t.Location, new PieceStoreOptions { ReadOnly = readOnly }, selection: selection);

    private FileSelection Only(params string[] patterns) => FileSelection.FromPatterns(_t.Torrent, patterns);

    private bool IsGood(int piece, ReadOnlySpan<byte> data) => PieceHash.Matches(data, _t.Torrent.GetPieceHash(piece));

    private ReadOnlySpan<byte> Piece(int piece) => _t.Content.AsSpan((int)Layout.GetPieceOffset(piece), Layout.GetPieceSize(piece));

    private void WritePieces(PieceStore store, Bitfield pieces)
    {
        foreach (var piece in pieces.Indexes())
        {
            store.Write(piece, 0, Piece(piece));
        }
    }

    private void AssertReadsBack(PieceStore store, Bitfield pieces)
    {
        foreach (var piece in pieces.Indexes())
        {
            var buffer = new byte[Layout.GetPieceSize(piece)];
            Assert.Equal(buffer.Length, store.Read(piece, 0, buffer));
            Assert.True(Piece(piece).SequenceEqual(buffer), $"piece {piece} reads back wrong");
        }
    }

    [Fact]
    public void Skipped_files_are_never_created_and_the_shared_pieces_are_kept_whole_in_the_part_file()
    {
        var selection = Only("c.bin");
        var wanted = selection.WantedPieces(Layout);
        Assert.Equal([3], wanted.Indexes()); // b.bin's end, c.bin, d.bin's start
        using (var store = Store(selection))
        {
            WritePieces(store, wanted);
            AssertReadsBack(store, wanted);
            Assert.Equal([3], store.PartPieces);
        }

        Assert.Equal(_t.Files[3].Content, File.ReadAllBytes(_t.PathOf(3)));
        Assert.False(File.Exists(_t.PathOf(2)));
        Assert.False(File.Exists(_t.PathOf(4)));
        Assert.False(File.Exists(_t.PathOf(0)));
        Assert.True(File.Exists(PartPath));
        Assert.StartsWith(_t.Location.StateFolder, PartPath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_piece_wholly_inside_chosen_files_never_touches_the_part_file()
    {
        var selection = Only("a.bin", "x/b.bin");
        using (var store = Store(selection))
        {
            WritePieces(store, selection.WantedPieces(Layout)); // 0, 1, 2, 3: only piece 3 holds skipped bytes
            Assert.Equal([3], store.PartPieces);
        }

        Assert.Equal(_t.Files[0].Content, File.ReadAllBytes(_t.PathOf(0)));
        Assert.Equal(_t.Files[2].Content, File.ReadAllBytes(_t.PathOf(2)));
    }

    [Fact]
    public void A_later_selection_takes_the_neighbours_bytes_out_of_the_part_file_and_frees_it()
    {
        using (var store = Store(Only("c.bin")))
        {
            WritePieces(store, Only("c.bin").WantedPieces(Layout));
        }

        // Now c.bin and d.bin: d.bin's first 3 bytes wait in piece 3's slot; b.bin is still skipped, so the slot stays.
        using (var store = Store(Only("c.bin")))
        {
            var good = store.ApplySelection(Only("c.bin", "d.bin"), IsGood);
            Assert.Equal([3], good.Indexes());
            Assert.Equal(_t.Files[4].Content[..3], File.ReadAllBytes(_t.PathOf(4)));
            Assert.False(File.Exists(_t.PathOf(2)));
            Assert.Equal([3], store.PartPieces);

            // Then everything: b.bin gets its last 10 bytes, no slot is needed, and the part file goes.
            store.ApplySelection(FileSelection.All(5), IsGood);
            Assert.Empty(store.PartPieces);
            Assert.False(File.Exists(PartPath));
            var inFile = File.ReadAllBytes(_t.PathOf(2));
            Assert.Equal(_t.Files[2].Content[24..], inFile[24..]);
            Assert.All(inFile[..24], b => Assert.Equal(0, b)); // the rest of b.bin was never fetched: a hole

            // Every byte of piece 3 now reads from the files.
            AssertReadsBack(store, Only("c.bin").WantedPieces(Layout));
        }
    }

    [Fact]
    public void A_damaged_slot_is_not_copied_into_a_file()
    {
        using (var store = Store(Only("c.bin")))
        {
            store.Write(3, 0, Piece(3));
        }

        // Flip a byte of the slot's data (the last byte of the file is the last byte of piece 3's slot).
        var bytes = File.ReadAllBytes(PartPath);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(PartPath, bytes);
        using (var store = Store(Only("c.bin")))
        {
            Assert.True(store.ApplySelection(Only("c.bin", "d.bin"), IsGood).IsEmpty);
        }

        Assert.False(File.Exists(_t.PathOf(4)));
    }

    [Fact]
    public void A_selection_that_shrinks_leaves_the_files_already_there_alone_and_reads_still_find_them()
    {
        var all = Bitfield(Layout.PieceCount, all: true);
        using (var store = Store(null))
        {
            WritePieces(store, all);
        }

        using (var store = Store(null))
        {
            store.ApplySelection(Only("c.bin"), IsGood);
            Assert.Equal(_t.Files[2].Content, File.ReadAllBytes(_t.PathOf(2)));
            AssertReadsBack(store, all); // skipped files without a slot are read from the file left on disk
        }
    }

    [Fact]
    public async Task The_verifier_checks_the_chosen_files_with_the_shared_bytes_from_the_part_file_and_reports_the_others_skipped()
    {
        var selection = Only("c.bin", "a.bin");
        using (var store = Store(selection))
        {
            WritePieces(store, selection.WantedPieces(Layout));
        }

        var result = await new TorrentVerifier().VerifyAsync(_t.Torrent, _t.Location, null, CancellationToken.None, selection: selection);
        Assert.True(result.IsComplete, string.Join(", ", result.InvalidPieces.Concat(result.MissingPieces)));
        Assert.Equal([0, 1, 3], result.ValidPieceBits.Indexes());
        Assert.Same(selection, result.Selection);
        Assert.Equal(
            [FileVerificationStatus.Complete, FileVerificationStatus.Skipped, FileVerificationStatus.Complete, FileVerificationStatus.Skipped],
            result.Files.Select(f => f.Status));
        Assert.True(result.Files.Where(f => f.IsSkipped).All(f => !f.Exists));

        // Without the selection, the same data is incomplete: the skipped files are missing.
        var whole = await new TorrentVerifier().VerifyAsync(_t.Torrent, _t.Location, null, CancellationToken.None);
        Assert.False(whole.IsComplete);
        Assert.Equal(FileVerificationStatus.Missing, whole.Files[1].Status);

        // A damaged slot makes its piece invalid: the chosen file is no longer complete.
        var bytes = File.ReadAllBytes(PartPath);
        bytes[^2] ^= 0x01;
        File.WriteAllBytes(PartPath, bytes);
        var damaged = await new TorrentVerifier().VerifyAsync(_t.Torrent, _t.Location, null, CancellationToken.None, selection: selection);
        Assert.False(damaged.IsComplete);
        Assert.Equal([3], damaged.InvalidPieces);
        Assert.Equal(FileVerificationStatus.Incomplete, damaged.Files.Single(f => f.RelativePath == "c.bin").Status);
    }

    [Fact]
    public async Task Without_its_part_file_a_shared_piece_is_missing_for_the_verifier()
    {
        var selection = Only("c.bin");
        using (var store = Store(selection))
        {
            WritePieces(store, selection.WantedPieces(Layout));
        }

        File.Delete(PartPath);
        var result = await new TorrentVerifier().VerifyAsync(_t.Torrent, _t.Location, null, CancellationToken.None, selection: selection);
        Assert.Equal([3], result.MissingPieces);
        Assert.False(result.IsComplete);
    }

    private static Bitfield Bitfield(int length, bool all)
    {
        var bits = new Bitfield(length);
        if (all)
        {
            bits.SetAll();
        }

        return bits;
    }
}
