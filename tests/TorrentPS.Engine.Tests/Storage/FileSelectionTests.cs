using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>A file selection: priorities per file, chosen by wildcards, and the piece maps the picker gets from it.</summary>
public sealed class FileSelectionTests : IDisposable
{
    // 16-byte pieces. a.bin 0..20 (pieces 0-1), empty.txt at 20, padding 20..32 (piece 1), b/c.bin 32..72 (pieces 2-4),
    // d.txt 72..80 (piece 4, shared with c.bin), e.mkv 80..81 (piece 5).
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "s",
        16,
        TestFile.Random("a.bin", 20, 1),
        new TestFile("empty.txt", []),
        TestFile.Padding(12),
        TestFile.Random("b/c.bin", 40, 2),
        TestFile.Random("d.txt", 8, 3),
        TestFile.Random("E.MKV", 1, 4));

    public void Dispose() => _t.Dispose();

    private FileLayout Layout => FileLayout.For(_t.Torrent);

    [Fact]
    public void All_selects_every_file_and_wants_every_piece_at_normal_priority()
    {
        var all = FileSelection.All(_t.Torrent.Files.Count);
        Assert.Equal(6, all.SelectedCount);
        Assert.True(all.WantedPieces(Layout).IsComplete);
        Assert.All(all.PiecePriorities(Layout), p => Assert.Equal(FilePriority.Normal, p));
    }

    [Fact]
    public void Patterns_include_then_exclude_by_path_ignoring_case_and_never_choose_padding()
    {
        var selection = FileSelection.FromPatterns(_t.Torrent, ["*.bin", "*.mkv", ".pad/*"], ["a*"]);
        Assert.Equal(
            [FilePriority.Skip, FilePriority.Skip, FilePriority.Skip, FilePriority.Normal, FilePriority.Skip, FilePriority.Normal],
            selection.Priorities);

        // No include pattern: every file but the excluded ones.
        Assert.Equal([3, 4], Selected(FileSelection.FromPatterns(_t.Torrent, null, ["a.bin", "*.mkv", "empty*"])));
        Assert.Equal([0, 1, 3, 4, 5], Selected(FileSelection.FromPatterns(_t.Torrent, [], null)));
        Assert.Equal([3, 4], FileSelection.FindFiles(_t.Torrent, ["b/*", "D.TXT"]));
    }

    [Fact]
    public void A_bad_pattern_is_a_typed_error()
        => Assert.Equal("InvalidFilePattern", Assert.Throws<TorrentPSException>(() => FileSelection.FromPatterns(_t.Torrent, ["[x"])).ErrorId);

    [Fact]
    public void A_piece_shared_by_a_chosen_and_a_skipped_file_is_wanted_and_one_of_skipped_files_only_is_not()
    {
        // Only d.txt (72..80): piece 4, which it shares with the skipped c.bin.
        var selection = FileSelection.FromPatterns(_t.Torrent, ["d.txt"]);
        Assert.Equal([4], selection.WantedPieces(Layout).Indexes());

        // Only c.bin (32..72): pieces 2 to 4; piece 4 also holds d.txt, skipped.
        Assert.Equal([2, 3, 4], FileSelection.FromPatterns(_t.Torrent, ["b/c.bin"]).WantedPieces(Layout).Indexes());

        // Only a.bin (0..20): pieces 0 and 1; piece 1 holds a.bin's end and padding only.
        Assert.Equal([0, 1], FileSelection.FromPatterns(_t.Torrent, ["a.bin"]).WantedPieces(Layout).Indexes());
    }

    [Fact]
    public void Empty_and_padding_files_hold_no_byte_so_they_want_no_piece()
    {
        var onlyEmptyAndPadding = FileSelection.All(6, FilePriority.Skip).WithPriority([1, 2], FilePriority.High);
        Assert.True(onlyEmptyAndPadding.WantedPieces(Layout).IsEmpty);
        Assert.All(onlyEmptyAndPadding.PiecePriorities(Layout), p => Assert.Equal(FilePriority.Skip, p));
    }

    [Fact]
    public void A_piece_takes_the_highest_priority_of_the_chosen_files_holding_its_bytes()
    {
        var selection = FileSelection.All(6)
            .WithPriority(0, FilePriority.Low)
            .WithPriority(3, FilePriority.Low)
            .WithPriority(4, FilePriority.High)
            .WithPriority(5, FilePriority.Skip);
        Assert.Equal(
            [FilePriority.Low, FilePriority.Low, FilePriority.Low, FilePriority.Low, FilePriority.High, FilePriority.Skip],
            selection.PiecePriorities(Layout));
        Assert.Equal([0, 1, 2, 3, 4], selection.WantedPieces(Layout).Indexes());
    }

    [Fact]
    public void Changing_a_priority_returns_a_new_selection_and_leaves_the_old_one_alone()
    {
        var all = FileSelection.All(6);
        var changed = all.WithPriority(3, FilePriority.Skip);
        Assert.Equal(FilePriority.Normal, all[3]);
        Assert.Equal(FilePriority.Skip, changed[3]);
        Assert.NotEqual(all, changed);
        Assert.Equal(changed, FileSelection.FromPriorities(changed.Priorities));
        Assert.Throws<ArgumentOutOfRangeException>(() => all.WithPriority(6, FilePriority.High));
        Assert.Throws<ArgumentOutOfRangeException>(() => all.WithPriority(0, (FilePriority)7));
        Assert.Throws<ArgumentException>(() => all.WantedPieces(FileLayout.For(StorageTorrent.Single("x", 10, 4).Torrent)));
    }

    [Fact]
    public void A_single_file_torrent_matches_its_name()
    {
        using var single = StorageTorrent.Single("movie.mkv", 100, 16);
        var layout = FileLayout.For(single.Torrent);
        Assert.True(FileSelection.FromPatterns(single.Torrent, ["*.MKV"]).WantedPieces(layout).IsComplete);
        Assert.True(FileSelection.FromPatterns(single.Torrent, ["*.iso"]).WantedPieces(layout).IsEmpty);
    }

    private static int[] Selected(FileSelection selection)
        => Enumerable.Range(0, selection.FileCount).Where(selection.IsSelected).ToArray();
}
