using System.Text;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using static TorrentPS.Engine.Tests.Metainfo.TestTorrent;

namespace TorrentPS.Engine.Tests.Metainfo;

/// <summary>No two files of a parsed torrent share a path, and no file stands where another needs a folder.</summary>
public class TorrentFilePathResolverTests
{
    private static TorrentInfo Parse(params BencodeDictionary[] files)
    {
        var total = files.Sum(f => f.Get<BencodeInteger>("length")!.Value);
        return TorrentInfo.Parse(MultiFile("t", [("x", Content((int)total))]).Info("files", List(files)).ToBytes());
    }

    private static string[] Paths(TorrentInfo torrent) => torrent.Files.Select(f => f.Path).ToArray();

    [Fact]
    public void Unique_paths_are_left_alone()
        => Assert.Equal(["a/b.txt", "a/c.txt", "b"], Paths(Parse(FileEntry(1, "a", "b.txt"), FileEntry(1, "a", "c.txt"), FileEntry(1, "b"))));

    [Fact]
    public void A_repeated_path_gets_a_number_before_its_extension()
        => Assert.Equal(
            ["a/b.txt", "a/b.1.txt", "a/b.2.txt", "noext", "noext.1"],
            Paths(Parse(FileEntry(1, "a", "b.txt"), FileEntry(2, "a", "b.txt"), FileEntry(3, "a", "b.txt"), FileEntry(1, "noext"), FileEntry(1, "noext"))));

    [Fact]
    public void Paths_that_differ_only_in_case_are_made_distinct()
        => Assert.Equal(["Read.me", "read.1.ME"], Paths(Parse(FileEntry(1, "Read.me"), FileEntry(1, "read.ME"))));

    [Fact]
    public void Paths_that_sanitise_to_the_same_name_are_made_distinct()
        => Assert.Equal(["x_y", "x_y.1", "x_y.2"], Paths(Parse(FileEntry(1, "x/y"), FileEntry(1, "x_y"), FileEntry(1, "x:y"))));

    [Fact]
    public void A_file_where_a_folder_already_is_gets_a_new_name()
        => Assert.Equal(["a/b", "a.1"], Paths(Parse(FileEntry(1, "a", "b"), FileEntry(1, "a"))));

    [Fact]
    public void A_folder_where_a_file_already_is_gets_a_new_name_for_every_later_file()
        => Assert.Equal(
            ["a", "a.1/b", "a.1/c/d", "e"],
            Paths(Parse(FileEntry(1, "a"), FileEntry(1, "a", "b"), FileEntry(1, "a", "c", "d"), FileEntry(1, "e"))));

    [Fact]
    public void A_renamed_name_that_is_taken_later_moves_on_to_the_next_number()
        => Assert.Equal(["a", "a.1", "a.1.1"], Paths(Parse(FileEntry(1, "a"), FileEntry(1, "a"), FileEntry(1, "a.1"))));

    [Fact]
    public void Padding_files_are_left_as_they_are()
    {
        var pad = Dict(("attr", Str("p")), ("length", Int(1)), ("path", List(Str(".pad"), Str("1"))));
        var torrent = Parse(FileEntry(1, "a"), pad, FileEntry(1, "b"), pad);
        Assert.Equal(["a", ".pad/1", "b", ".pad/1"], Paths(torrent));
    }

    [Fact]
    public void Lengths_and_offsets_survive_a_rename()
    {
        var torrent = Parse(FileEntry(3, "a"), FileEntry(5, "a"));
        Assert.Equal([3L, 5], torrent.Files.Select(f => f.Length));
        Assert.Equal([0L, 3], torrent.Files.Select(f => f.Offset));
    }

    [Fact]
    public void Numbered_names_stay_within_the_segment_limit()
    {
        var longName = new string('n', 300) + ".bin";
        var torrent = Parse(FileEntry(1, longName), FileEntry(1, longName));
        Assert.NotEqual(torrent.Files[0].Path, torrent.Files[1].Path);
        Assert.EndsWith(".1.bin", torrent.Files[1].Path, StringComparison.Ordinal);
        Assert.All(torrent.Files, f => Assert.InRange(Encoding.UTF8.GetByteCount(f.Path), 1, TorrentPathSanitizer.MaxSegmentBytes));
    }

    [Fact]
    public void Every_parsed_torrent_has_distinct_file_and_folder_paths()
    {
        var random = new Random(31);
        string[] names = ["a", "A", "b", "a.txt", "A.TXT", "a.1", "..", "x/y", "x_y", "CON", "_CON"];
        for (var round = 0; round < 300; round++)
        {
            var files = Enumerable.Range(0, random.Next(1, 8))
                .Select(_ => FileEntry(1, Enumerable.Range(0, random.Next(1, 4)).Select(_ => names[random.Next(names.Length)]).ToArray()))
                .ToArray();
            var torrent = Parse(files);
            var filePaths = torrent.Files.Select(f => f.Path.ToUpperInvariant()).ToArray();
            Assert.Equal(filePaths.Length, filePaths.Distinct().Count());
            var folders = torrent.Files.SelectMany(f => Enumerable.Range(1, f.PathSegments.Count - 1).Select(n => string.Join('/', f.PathSegments.Take(n)).ToUpperInvariant())).ToHashSet();
            Assert.DoesNotContain(filePaths, folders.Contains);
        }
    }
}
