using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>
/// What a user asks for by -File/--file and -ExcludeFile/--exclude, made into a selection once the torrent is known:
/// literal paths (TorrentFile objects) escaped, a path without wildcards that names no file refused, an empty choice refused.
/// </summary>
public sealed class FileChoiceTests : IDisposable
{
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "choice",
        16,
        TestFile.Random("Season 1/e01 [720p].mkv", 20, 1),
        TestFile.Padding(12),
        TestFile.Random("Season 1/e02 [720p].mkv", 20, 2),
        TestFile.Random("extras/[a] `b.txt", 5, 3));

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Everything_selects_every_file()
    {
        Assert.True(FileChoice.Everything.IsEverything);
        Assert.Equal(FileSelection.All(4), FileChoice.Everything.Resolve(_t.Torrent));
        Assert.True(FileChoice.Of([], null).IsEverything);
    }

    [Fact]
    public void A_literal_path_with_brackets_and_backticks_names_that_file_only()
    {
        var star = FileChoice.Of([FileChoice.Literal("extras/[a] `b.txt")]).Resolve(_t.Torrent);
        var episode = FileChoice.Of([FileChoice.Literal("Season 1/e01 [720p].mkv")]).Resolve(_t.Torrent);

        Assert.Equal([3], Enumerable.Range(0, 4).Where(star.IsSelected));
        Assert.Equal([0], Enumerable.Range(0, 4).Where(episode.IsSelected));
    }

    [Fact]
    public void Wildcards_take_files_and_excludes_leave_them()
    {
        var choice = FileChoice.Of(["*.mkv"], ["*e02*"]);

        Assert.Equal([0], choice.FindFiles(_t.Torrent));
        Assert.Equal([0, 2, 3], FileChoice.Of(["*"]).FindFiles(_t.Torrent)); // padding never
        Assert.Equal("'*.mkv' except '*e02*'", choice.Describe());
    }

    [Fact]
    public void A_path_without_wildcards_the_torrent_lacks_is_an_error_but_a_wildcard_that_matches_nothing_is_not()
    {
        var error = Assert.Throws<TorrentPSException>(() => FileChoice.Of(["Season 1/e03.mkv"]).Resolve(_t.Torrent));
        Assert.Equal("FileNotInTorrent", error.ErrorId);

        Assert.Equal([0, 2], FileChoice.Of(["*.mkv", "*.iso"]).FindFiles(_t.Torrent));
        Assert.Equal([0, 2, 3], FileChoice.Of(null, ["nothing-like-this"]).FindFiles(_t.Torrent));
    }

    [Fact]
    public void A_choice_that_leaves_no_file_is_an_error()
    {
        var error = Assert.Throws<TorrentPSException>(() => FileChoice.Of(["*.mkv"], ["*"]).Resolve(_t.Torrent));

        Assert.Equal("NoFileSelected", error.ErrorId);
        Assert.Equal(TorrentErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void A_bad_pattern_is_refused_before_the_torrent_is_known()
    {
        var error = Assert.Throws<TorrentPSException>(() => FileChoice.Of(["ok*"], ["[z-a]"]).Validate());

        Assert.Equal("InvalidFilePattern", error.ErrorId);
    }
}
