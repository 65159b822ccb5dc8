using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Metainfo;

namespace TorrentPS.Engine.Tests.Storage;

public class ContentLocationTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "tps-location");

    private static TorrentInfo Single() => TorrentInfo.Parse(TestTorrent.SingleFile("movie.mkv", new byte[40], 16).ToBytes());

    private static TorrentInfo Multi() => TorrentInfo.Parse(StorageTorrent.MultiFileBytes("album", 16, [new TestFile("cd1/a.flac", new byte[20]), TestFile.Padding(12), new TestFile("b.txt", new byte[5])]));

    [Fact]
    public void InFolder_puts_a_single_file_in_the_folder()
    {
        var location = ContentLocation.InFolder(Single(), Root);
        Assert.Equal(Path.Combine(Root, "movie.mkv"), location.ContentPath);
        Assert.Equal(Path.Combine(Root, "movie.mkv"), location.GetFilePath(0));
        Assert.Equal(Path.Combine(Root, ".torrentps"), location.StateFolder);
    }

    [Fact]
    public void InFolder_puts_a_multi_file_torrent_below_its_name_and_padding_nowhere()
    {
        var torrent = Multi();
        var location = ContentLocation.InFolder(torrent, Root);
        Assert.Equal(Path.Combine(Root, "album"), location.ContentPath);
        Assert.Equal(Path.Combine(Root, "album", "cd1", "a.flac"), location.GetFilePath(0));
        Assert.Null(location.GetFilePath(1));
        Assert.Equal(Path.Combine(Root, "album", "b.txt"), location.GetFilePath(2));
        Assert.Equal(3, location.FileCount);
        Assert.Equal(Path.Combine(Root, ".torrentps", torrent.Hash.Hex + ".resume"), location.ResumePath);
        Assert.Throws<ArgumentOutOfRangeException>(() => location.GetFilePath(3));
    }

    [Fact]
    public void AtPath_is_the_file_itself_or_the_folder_that_receives_the_files_directly()
    {
        var single = ContentLocation.AtPath(Single(), Path.Combine(Root, "out.bin"));
        Assert.Equal(Path.Combine(Root, "out.bin"), single.GetFilePath(0));
        Assert.Equal(Path.Combine(Root, ".torrentps"), single.StateFolder);

        var multi = ContentLocation.AtPath(Multi(), Path.Combine(Root, "out"));
        Assert.Equal(Path.Combine(Root, "out", "cd1", "a.flac"), multi.GetFilePath(0));
        Assert.Equal(Path.Combine(Root, "out"), multi.ContentPath);
        Assert.Equal(Path.Combine(Root, ".torrentps"), multi.StateFolder);
    }

    [Fact]
    public void The_resume_path_is_known_from_the_info_hash_alone()
    {
        var torrent = Multi();
        Assert.Equal(ContentLocation.InFolder(torrent, Root).ResumePath, ContentLocation.GetDefaultResumePathInFolder(Root, torrent.Hash));
        var output = Path.Combine(Root, "out");
        Assert.Equal(ContentLocation.AtPath(torrent, output).ResumePath, ContentLocation.GetDefaultResumePathAtPath(output, torrent.Hash));
        var state = Path.Combine(Root, "state");
        Assert.Equal(Path.Combine(state, torrent.Hash.Hex + ".resume"), ContentLocation.InFolder(torrent, Root, state).ResumePath);
    }

    [Fact]
    public void Relative_folders_become_full_paths()
    {
        var location = ContentLocation.InFolder(Single(), "relative-dir");
        Assert.Equal(Path.GetFullPath(Path.Combine("relative-dir", "movie.mkv")), location.ContentPath);
    }

    public static TheoryData<string[]> HostilePaths => new()
    {
        new[] { "..", "..", "etc", "passwd" },
        new[] { "/etc/passwd" },
        new[] { "a", "..", "..", "..", "x" },
        new[] { "C:\\Windows", "system32" },
        new[] { "CON" },
        new[] { "nul.txt" },
        new[] { "..\\..\\x" },
        new[] { "." },
    };

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void Hostile_torrent_paths_stay_inside_the_destination(string[] segments)
    {
        var list = new BencodeList(segments.Select(s => (BencodeValue)new BencodeString(s)).ToArray());
        var files = new BencodeList([TestTorrent.Dict(("length", TestTorrent.Int(4)), ("path", list)), TestTorrent.FileEntry(4, "ok.txt")]);
        var torrent = TorrentInfo.Parse(TestTorrent.MultiFile("..", [("x", new byte[4]), ("y", new byte[4])]).Info("files", files).ToBytes());
        foreach (var location in new[] { ContentLocation.InFolder(torrent, Root), ContentLocation.AtPath(torrent, Root) })
        {
            var root = Path.GetFullPath(Root) + Path.DirectorySeparatorChar;
            for (var i = 0; i < location.FileCount; i++)
            {
                var path = location.GetFilePath(i)!;
                Assert.StartsWith(root, path, StringComparison.Ordinal);
                Assert.Equal(path, Path.GetFullPath(path));
            }

        }

        Assert.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, ContentLocation.InFolder(torrent, Root).ContentPath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_torrent_writes_only_inside_the_destination()
    {
        var files = new BencodeList(
        [
            TestTorrent.Dict(("length", TestTorrent.Int(8)), ("path", TestTorrent.List(TestTorrent.Str(".."), TestTorrent.Str("escaped.txt")))),
            TestTorrent.Dict(("length", TestTorrent.Int(8)), ("path", TestTorrent.List(TestTorrent.Str("/tmp"), TestTorrent.Str("abs.txt")))),
        ]);
        var content = TestTorrent.Content(16, 4);
        var torrent = TorrentInfo.Parse(TestTorrent.MultiFile("../..", [("a", content[..8]), ("b", content[8..])]).Info("files", files).ToBytes());
        var parent = Path.Combine(Path.GetTempPath(), $"tps-hostile-{Guid.NewGuid():N}");
        var destination = Path.Combine(parent, "destination");
        try
        {
            using (var store = new PieceStore(FileLayout.For(torrent), ContentLocation.InFolder(torrent, destination)))
            {
                store.Write(0, 0, content);
            }

            var written = Directory.GetFiles(parent, "*", SearchOption.AllDirectories);
            Assert.Equal(2, written.Length);
            Assert.All(written, f => Assert.StartsWith(destination + Path.DirectorySeparatorChar, f, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }
}
