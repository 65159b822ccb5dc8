using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Tests.Creation;

public sealed class ContentScannerTests
{
    private static ContentScan Scan(string path, params string[] exclude)
        => ContentScanner.Scan(path, new ExcludePatterns(exclude), CancellationToken.None);

    private static string[] Paths(ContentScan scan) => scan.Files.Select(f => f.RelativePath).ToArray();

    private static string[] Skipped(ContentScan scan) => scan.Skipped.Select(s => s.RelativePath).ToArray();

    [Fact]
    public void Files_are_in_path_segment_order_each_segment_compared_as_UTF8_bytes()
    {
        using var content = new ContentFolder();
        foreach (var name in new[] { "share/b.bin", "share/a.txt", "share/a/x.bin", "share/a/b/y.bin", "share/A.bin", "share/\u00e9.bin", "share/\U0001F600.bin", "share/\uFF01.bin" })
        {
            content.Write(name, 10);
        }

        var scan = Scan(content.PathOf("share"));

        // A folder's files come before a sibling whose name merely starts with the folder's ("a/…" before "a.txt"), and
        // U+FF01 (EF BC 81) before U+1F600 (F0 9F 98 80), though UTF-16 order would put the surrogate pair first.
        Assert.Equal(["A.bin", "a/b/y.bin", "a/x.bin", "a.txt", "b.bin", "\u00e9.bin", "\uFF01.bin", "\U0001F600.bin"], Paths(scan));
        Assert.True(scan.IsFolder);
        Assert.Equal("share", scan.Name);
    }

    [Fact]
    public void Hidden_files_are_included_and_an_exclude_pattern_leaves_them_out()
    {
        using var content = new ContentFolder();
        content.Write("share/.hidden", 10);
        content.Write("share/.git/config", 10);
        content.Write("share/visible.txt", 10);

        Assert.Equal([".git/config", ".hidden", "visible.txt"], Paths(Scan(content.PathOf("share"))));
        Assert.Equal(["visible.txt"], Paths(Scan(content.PathOf("share"), ".*")));
    }

    [Fact]
    public void Empty_files_are_kept_and_empty_folders_are_listed_as_left_out()
    {
        using var content = new ContentFolder();
        content.Write("share/empty.txt", []);
        content.Write("share/data.bin", 10);
        content.Folder("share/nothing/deeper");

        var scan = Scan(content.PathOf("share"));

        Assert.Equal(["data.bin", "empty.txt"], Paths(scan));
        Assert.Equal(0, scan.Files[1].Length);
        Assert.Equal(["nothing", "nothing/deeper"], Skipped(scan));
        Assert.All(scan.Skipped, s => Assert.Contains("no file to share", s.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void TorrentPS_state_folder_is_never_content()
    {
        using var content = new ContentFolder();
        content.Write("share/data.bin", 10);
        content.Write("share/.torrentps/0123.resume", 10);

        var scan = Scan(content.PathOf("share"));

        Assert.Equal(["data.bin"], Paths(scan));
        Assert.Equal([".torrentps"], Skipped(scan));
    }

    [Fact]
    public void Exclude_patterns_match_names_at_any_depth_or_paths_below_the_folder_without_regard_to_case()
    {
        using var content = new ContentFolder();
        foreach (var name in new[] { "share/keep.bin", "share/x.tmp", "share/sub/y.TMP", "share/extras/a.bin", "share/sub/extras/b.bin", "share/cache/c.bin", "share/sub/cache/d.bin" })
        {
            content.Write(name, 10);
        }

        var scan = Scan(content.PathOf("share"), "*.tmp", "EXTRAS/*", "cache");

        // A name pattern anywhere; a path pattern from the top only; a folder matched is left out whole (and is not reported).
        Assert.Equal(["keep.bin", "sub/extras/b.bin"], Paths(scan));
        Assert.Equal(["extras"], Skipped(scan));
    }

    [Fact]
    public void A_link_to_a_file_inside_the_folder_is_followed_under_its_own_name()
    {
        using var content = new ContentFolder();
        content.Write("share/real/data.bin", 100);
        File.CreateSymbolicLink(content.PathOf("share/latest.bin"), Path.Combine("real", "data.bin"));

        var scan = Scan(content.PathOf("share"));

        Assert.Equal(["latest.bin", "real/data.bin"], Paths(scan));
        Assert.Equal(content.PathOf("share/real/data.bin"), scan.Files[0].ReadPath);
        Assert.Equal(100, scan.Files[0].Length);
    }

    [Fact]
    public void Links_to_folders_out_of_the_folder_to_nothing_or_in_a_loop_are_left_out_and_listed()
    {
        using var content = new ContentFolder();
        content.Write("share/data.bin", 10);
        content.Write("share/sub/inner.bin", 10);
        content.Write("secret.txt", 10);
        File.CreateSymbolicLink(content.PathOf("share/folder-link"), "sub");
        File.CreateSymbolicLink(content.PathOf("share/outside"), content.PathOf("secret.txt"));
        File.CreateSymbolicLink(content.PathOf("share/dangling"), "missing.bin");
        File.CreateSymbolicLink(content.PathOf("share/loop-a"), "loop-b");
        File.CreateSymbolicLink(content.PathOf("share/loop-b"), "loop-a");

        var scan = Scan(content.PathOf("share"));

        Assert.Equal(["data.bin", "sub/inner.bin"], Paths(scan));
        var reasons = scan.Skipped.ToDictionary(s => s.RelativePath, s => s.Reason);
        Assert.Contains("folder", reasons["folder-link"], StringComparison.Ordinal);
        Assert.Contains("out of the content folder", reasons["outside"], StringComparison.Ordinal);
        Assert.Contains("does not exist", reasons["dangling"], StringComparison.Ordinal);
        Assert.Contains("loop", reasons["loop-a"], StringComparison.Ordinal);
        Assert.Contains("loop", reasons["loop-b"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_whose_target_reads_as_inside_but_passes_through_a_folder_link_that_leads_out_is_left_out()
    {
        using var content = new ContentFolder();
        content.Write("share/data.bin", 10);
        content.Write("private/secret.txt", 10);
        File.CreateSymbolicLink(content.PathOf("share/door"), content.PathOf("private"));
        File.CreateSymbolicLink(content.PathOf("share/innocent.txt"), Path.Combine("door", "secret.txt"));

        var scan = Scan(content.PathOf("share"));

        Assert.Equal(["data.bin"], Paths(scan));
        Assert.Contains("out of the content folder", scan.Skipped.Single(s => s.RelativePath == "innocent.txt").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_keep_the_normalization_form_they_have_on_disk()
    {
        using var content = new ContentFolder();
        const string decomposed = "e\u0301t\u00e9.txt"; // NFD then NFC in one name
        const string composed = "\u00e9t\u00e9.bin";
        content.Write("share/" + decomposed, 10);
        content.Write("share/" + composed, 10);

        var names = Scan(content.PathOf("share")).Files.Select(f => f.Segments.Single()).ToArray();

        Assert.Contains(decomposed, names);
        Assert.Contains(composed, names);
    }

    [Fact]
    public void A_file_is_a_single_file_torrent_named_as_the_path_names_it_even_through_a_link()
    {
        using var content = new ContentFolder();
        content.Write("movie.mkv", 10);
        File.CreateSymbolicLink(content.PathOf("alias.mkv"), "movie.mkv");

        var scan = Scan(content.PathOf("alias.mkv"));

        Assert.False(scan.IsFolder);
        Assert.Equal("alias.mkv", scan.Name);
        Assert.Equal(["alias.mkv"], scan.Files.Single().Segments);
        Assert.Equal(content.PathOf("movie.mkv"), scan.Files.Single().ReadPath);
    }

    [Fact]
    public void A_folder_given_through_a_link_is_followed_and_keeps_the_links_name()
    {
        using var content = new ContentFolder();
        content.Write("real/a.bin", 10);
        File.CreateSymbolicLink(content.PathOf("shared"), content.PathOf("real"));

        var scan = Scan(content.PathOf("shared") + Path.DirectorySeparatorChar);

        Assert.Equal("shared", scan.Name);
        Assert.Equal(["a.bin"], Paths(scan));
    }

    [Fact]
    public void A_missing_path_is_PathNotFound()
    {
        using var content = new ContentFolder();
        var error = Assert.Throws<TorrentPSException>(() => Scan(content.PathOf("nothing")));
        Assert.Equal(("PathNotFound", TorrentErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
    }
}
