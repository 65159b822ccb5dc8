using System.Security.Cryptography;
using System.Text;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using static TorrentPS.Engine.Tests.Metainfo.TestTorrent;

namespace TorrentPS.Engine.Tests.Metainfo;

public class TorrentInfoParsingTests
{
    [Fact]
    public void Reads_a_single_file_torrent()
    {
        var content = Content(50);
        var builder = SingleFile("file.bin", content, pieceLength: 16)
            .Root("comment", Str("a comment"))
            .Root("created by", Str("tests"))
            .Root("creation date", Int(1_700_000_000));
        var torrent = TorrentInfo.Parse(builder.ToBytes());

        Assert.Equal("file.bin", torrent.Name);
        Assert.Equal(50, torrent.Length);
        Assert.Equal(16, torrent.PieceLength);
        Assert.Equal(4, torrent.PieceCount);
        Assert.False(torrent.IsMultiFile);
        Assert.False(torrent.IsPrivate);
        Assert.False(torrent.IsHybrid);
        var file = Assert.Single(torrent.Files);
        Assert.Equal("file.bin", file.Path);
        Assert.Equal(50, file.Length);
        Assert.Equal(0, file.Offset);
        Assert.Equal("http://127.0.0.1:6969/announce", torrent.Announce);
        Assert.Equal(builder.ExpectedInfoHashHex(), torrent.Hash.Hex);
        Assert.Equal(builder.ExpectedInfoHashHex(), Convert.ToHexString(torrent.Hash.ToArray()).ToLowerInvariant());
        Assert.Equal("a comment", torrent.Comment);
        Assert.Equal("tests", torrent.CreatedBy);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), torrent.CreationDate);
        Assert.Equal(builder.InfoBytes(), torrent.GetRawInfo().ToArray());
    }

    [Fact]
    public void Piece_hashes_are_the_sha1_of_each_piece_and_the_last_piece_is_shorter()
    {
        var content = Content(50);
        var torrent = TorrentInfo.Parse(SingleFile("f", content, pieceLength: 16).ToBytes());
        for (var i = 0; i < torrent.PieceCount; i++)
        {
            var start = i * 16;
            var piece = content.AsSpan(start, Math.Min(16, content.Length - start));
            Assert.Equal(Convert.ToHexString(SHA1.HashData(piece)).ToLowerInvariant(), torrent.GetPieceHashes()[i]);
            Assert.True(torrent.GetPieceHash(i).SequenceEqual(SHA1.HashData(piece)));
            Assert.Equal(piece.Length, torrent.GetPieceLength(i));
        }

        Assert.Equal(2, torrent.GetPieceLength(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => torrent.GetPieceLength(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => torrent.GetPieceLength(-1));
    }

    [Fact]
    public void Reads_a_multi_file_torrent_with_nested_folders_and_zero_length_files()
    {
        var builder = MultiFile("top", [("a.txt", Content(10, 1)), ("sub/deeper/b.bin", Content(33, 2)), ("sub/empty", []), ("c", Content(1, 3))], pieceLength: 16);
        var torrent = TorrentInfo.Parse(builder.ToBytes());

        Assert.True(torrent.IsMultiFile);
        Assert.Equal("top", torrent.Name);
        Assert.Equal(44, torrent.Length);
        Assert.Equal(3, torrent.PieceCount);
        Assert.Equal(4, torrent.FileCount);
        Assert.Equal(["a.txt", "sub/deeper/b.bin", "sub/empty", "c"], torrent.Files.Select(f => f.Path));
        Assert.Equal([10L, 33, 0, 1], torrent.Files.Select(f => f.Length));
        Assert.Equal([0L, 10, 43, 43], torrent.Files.Select(f => f.Offset));
        Assert.Equal(["sub", "deeper", "b.bin"], torrent.Files[1].PathSegments);
        Assert.All(torrent.Files, f => Assert.False(f.IsPadding));
        Assert.Equal(builder.ExpectedInfoHashHex(), torrent.Hash.Hex);
    }

    [Fact]
    public void The_info_hash_is_of_the_bytes_as_written_not_of_a_re_encoding()
    {
        // Keys out of order and an unknown key: a re-encoding would sort them and change the hash.
        const string info = "d6:lengthi3e4:name1:x6:pieces20:aaaaaaaaaaaaaaaaaaaa12:piece lengthi16e1:zi0e1:ai0ee";
        var bytes = Ascii("d4:info" + info + "e");
        var torrent = TorrentInfo.Parse(bytes);
        var expected = Convert.ToHexString(SHA1.HashData(Ascii(info))).ToLowerInvariant();
        Assert.Equal(expected, torrent.Hash.Hex);
        Assert.NotEqual(expected, Convert.ToHexString(SHA1.HashData(BencodeEncoder.Encode(BencodeDecoder.Decode(Ascii(info))))).ToLowerInvariant());
    }

    [Fact]
    public void The_torrent_keeps_its_own_copy_of_the_input()
    {
        var bytes = SingleFile("f", Content(20)).ToBytes();
        var torrent = TorrentInfo.Parse(bytes);
        var hash = torrent.Hash.Hex;
        var raw = torrent.GetRawInfo().ToArray();
        var firstPiece = torrent.GetPieceHashes()[0];
        Array.Clear(bytes);
        Assert.Equal(raw, torrent.GetRawInfo().ToArray());
        Assert.Equal(hash, InfoHash.Compute(torrent.GetRawInfo().Span).Hex);
        Assert.Equal(firstPiece, Convert.ToHexString(torrent.GetPieceHash(0)).ToLowerInvariant());
    }

    [Fact]
    public void Reads_announce_list_tiers_per_bep_12()
    {
        var bytes = SingleFile("f", Content(10))
            .Root("announce", Str("http://127.0.0.1:1/ignored-when-announce-list-is-there"))
            .Root("announce-list", List(
                List(Str("http://127.0.0.1:1/a"), Str("udp://127.0.0.1:2"), Str("http://127.0.0.1:1/a")),
                List(),
                List(Str(" "), Int(5)),
                List(Str("http://127.0.0.1:3/c"))))
            .ToBytes();
        var torrent = TorrentInfo.Parse(bytes);
        Assert.Equal(2, torrent.TrackerTiers.Count);
        Assert.Equal(["http://127.0.0.1:1/a", "udp://127.0.0.1:2"], torrent.TrackerTiers[0]);
        Assert.Equal(["http://127.0.0.1:3/c"], torrent.TrackerTiers[1]);
        Assert.Equal("http://127.0.0.1:1/a", torrent.Announce);
        Assert.Equal(["http://127.0.0.1:1/a", "udp://127.0.0.1:2", "http://127.0.0.1:3/c"], torrent.Trackers);
    }

    [Fact]
    public void Falls_back_to_announce_when_announce_list_has_no_usable_tier()
    {
        var torrent = TorrentInfo.Parse(SingleFile("f", Content(10)).Root("announce-list", List(List())).ToBytes());
        Assert.Equal(["http://127.0.0.1:6969/announce"], Assert.Single(torrent.TrackerTiers));
    }

    [Fact]
    public void A_torrent_without_trackers_has_no_announce()
    {
        var torrent = TorrentInfo.Parse(SingleFile("f", Content(10)).Root("announce", null).ToBytes());
        Assert.Null(torrent.Announce);
        Assert.Empty(torrent.TrackerTiers);
        Assert.Empty(torrent.Trackers);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    [InlineData(2, false)]
    public void Reads_the_private_flag_per_bep_27(long value, bool expected)
        => Assert.Equal(expected, TorrentInfo.Parse(SingleFile("f", Content(10)).Info("private", Int(value)).ToBytes()).IsPrivate);

    [Fact]
    public void The_private_flag_is_part_of_the_info_hash()
    {
        var open = TorrentInfo.Parse(SingleFile("f", Content(10)).ToBytes());
        var closed = TorrentInfo.Parse(SingleFile("f", Content(10)).Info("private", Int(1)).ToBytes());
        Assert.NotEqual(open.Hash, closed.Hash);
    }

    [Fact]
    public void Reads_url_list_web_seeds_per_bep_19()
    {
        var single = TorrentInfo.Parse(SingleFile("f", Content(10)).Root("url-list", Str("http://127.0.0.1:8080/files/")).ToBytes());
        Assert.Equal(["http://127.0.0.1:8080/files/"], single.WebSeeds);

        var many = TorrentInfo.Parse(SingleFile("f", Content(10))
            .Root("url-list", List(Str("http://127.0.0.1:1/a"), Str(""), Int(3), Str("http://127.0.0.1:2/b"), Str("http://127.0.0.1:1/a")))
            .ToBytes());
        Assert.Equal(["http://127.0.0.1:1/a", "http://127.0.0.1:2/b"], many.WebSeeds);

        Assert.Empty(TorrentInfo.Parse(SingleFile("f", Content(10)).ToBytes()).WebSeeds);
        Assert.Empty(TorrentInfo.Parse(SingleFile("f", Content(10)).Root("url-list", Int(1)).ToBytes()).WebSeeds);
    }

    [Fact]
    public void Recognises_bep_47_padding_files()
    {
        var files = List(
            FileEntry(10, "a"),
            Dict(("attr", Str("p")), ("length", Int(6)), ("path", List(Str(".pad"), Str("6")))),
            FileEntry(4, ".pad", "4"),
            FileEntry(2, "_____padding_file_0_"),
            Dict(("attr", Str("x")), ("length", Int(10)), ("path", List(Str("run.sh")))));
        var torrent = TorrentInfo.Parse(MultiFile("t", [("x", Content(32))]).Info("files", files).ToBytes());
        Assert.Equal([false, true, true, true, false], torrent.Files.Select(f => f.IsPadding));
        Assert.Equal("p", torrent.Files[1].Attributes);
        Assert.Equal("x", torrent.Files[4].Attributes);
        Assert.Equal(32, torrent.Length);
    }

    [Fact]
    public void Prefers_utf8_names_and_paths_when_given()
    {
        var torrent = TorrentInfo.Parse(MultiFile("legacy", [("x", Content(5))])
            .Info("name.utf-8", Str("Übung"))
            .Info("files", List(Dict(("length", Int(5)), ("path", List(Str("old"))), ("path.utf-8", List(Str("ñew"), Str("fïle"))))))
            .ToBytes());
        Assert.Equal("Übung", torrent.Name);
        Assert.Equal("ñew/fïle", torrent.Files[0].Path);
    }

    [Fact]
    public void Hostile_paths_in_a_torrent_are_sanitised()
    {
        var files = List(
            FileEntry(1, "..", "..", "etc", "passwd"),
            FileEntry(1, "/abs", "C:\\win", "x"),
            FileEntry(1, "", ".", "nul\0byte"),
            FileEntry(1, "CON"),
            FileEntry(1, ".."));
        var torrent = TorrentInfo.Parse(MultiFile("../../evil", [("x", Content(5))]).Info("files", files).ToBytes());
        Assert.Equal(".._.._evil", torrent.Name);
        Assert.Equal(["etc/passwd", "_abs/C__win/x", "nul_byte", "_CON", "_"], torrent.Files.Select(f => f.Path));
        foreach (var file in torrent.Files)
        {
            Assert.All(file.PathSegments, s => Assert.DoesNotContain(s, new[] { "", ".", ".." }));
        }
    }

    [Fact]
    public void Reads_a_hybrid_torrent_through_its_v1_part()
    {
        var builder = SingleFile("f", Content(20)).Info("meta version", Int(2)).Info("file tree", Dict(("f", Dict(("", Dict(("length", Int(20))))))));
        var torrent = TorrentInfo.Parse(builder.ToBytes());
        Assert.True(torrent.IsHybrid);
        Assert.Equal(20, torrent.Length);
        Assert.Equal(builder.ExpectedInfoHashHex(), torrent.Hash.Hex);
    }

    [Fact]
    public void A_v2_only_torrent_is_reported_as_not_supported_yet()
    {
        var bytes = SingleFile("f", Content(20)).Info("pieces", null).Info("length", null)
            .Info("meta version", Int(2)).Info("file tree", Dict(("f", Dict(("", Dict(("length", Int(20)))))))).ToBytes();
        var error = Assert.Throws<UnsupportedTorrentException>(() => TorrentInfo.Parse(bytes));
        Assert.Equal("UnsupportedTorrent", error.ErrorId);
        Assert.Equal(Errors.TorrentErrorKind.NotImplemented, error.Kind);
        Assert.Contains("v2", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported yet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_meta_version_is_not_supported()
        => Assert.Throws<UnsupportedTorrentException>(() => TorrentInfo.Parse(SingleFile("f", Content(20)).Info("meta version", Int(3)).ToBytes()));

    [Fact]
    public void From_info_dictionary_gives_the_same_torrent_as_the_file()
    {
        var builder = SingleFile("f", Content(40));
        var fromFile = TorrentInfo.Parse(builder.ToBytes());
        var fromInfo = TorrentInfo.FromInfoDictionary(builder.InfoBytes(), [["http://127.0.0.1:1/x"]]);
        Assert.Equal(fromFile.Hash, fromInfo.Hash);
        Assert.Equal(fromFile.GetPieceHashes(), fromInfo.GetPieceHashes());
        Assert.Equal("http://127.0.0.1:1/x", fromInfo.Announce);
        Assert.Equal(fromFile.GetRawInfo().ToArray(), fromInfo.GetRawInfo().ToArray());
    }

    [Fact]
    public void Produces_its_magnet_link()
    {
        var torrent = TorrentInfo.Parse(SingleFile("my file.bin", Content(40))
            .Root("announce-list", List(List(Str("http://127.0.0.1:1/a")), List(Str("udp://127.0.0.1:2"))))
            .Root("url-list", Str("http://127.0.0.1:3/ws")).ToBytes());
        var magnet = torrent.ToMagnetLink();
        Assert.Equal(torrent.Hash, magnet.Hash);
        Assert.Equal("my file.bin", magnet.DisplayName);
        Assert.Equal(40, magnet.ExactLength);
        Assert.Equal(["http://127.0.0.1:1/a", "udp://127.0.0.1:2"], magnet.Trackers);
        Assert.Equal(["http://127.0.0.1:3/ws"], magnet.WebSeeds);
        Assert.StartsWith($"magnet:?xt=urn:btih:{torrent.Hash.Hex}&dn=my%20file.bin", magnet.Uri, StringComparison.Ordinal);
        Assert.Equal(magnet, MagnetLink.Parse(magnet.Uri));
    }

    [Fact]
    public async Task Load_reads_a_file_and_remembers_its_full_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tps-{Guid.NewGuid():N}.torrent");
        var builder = SingleFile("f", Content(20));
        await File.WriteAllBytesAsync(path, builder.ToBytes());
        try
        {
            var torrent = await TorrentInfo.LoadAsync(path);
            Assert.Equal(builder.ExpectedInfoHashHex(), torrent.Hash.Hex);
            Assert.Equal(Path.GetFullPath(path), torrent.SourcePath);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Load_of_a_missing_file_is_a_clear_not_found_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tps-missing-{Guid.NewGuid():N}.torrent");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => TorrentInfo.LoadAsync(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_of_a_folder_says_it_is_a_folder()
    {
        var error = await Assert.ThrowsAsync<InvalidTorrentException>(() => TorrentInfo.LoadAsync(Path.GetTempPath()));
        Assert.Contains("folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_of_a_file_that_is_not_bencode_is_invalid_bencode_with_the_offset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tps-{Guid.NewGuid():N}.torrent");
        await File.WriteAllTextAsync(path, "d4:infoi01ee");
        try
        {
            var error = await Assert.ThrowsAsync<BencodeException>(() => TorrentInfo.LoadAsync(path));
            Assert.Equal("InvalidBencode", error.ErrorId);
            Assert.Equal(8, error.Offset);
            Assert.Contains("byte 8", error.Message, StringComparison.Ordinal);
            Assert.Contains(Path.GetFullPath(path), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Load_of_an_endless_device_stops_at_the_size_limit()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/zero"))
        {
            return; // The bound is the same on every OS; only Linux offers an endless file to prove it cheaply.
        }

        var error = await Assert.ThrowsAsync<InvalidTorrentException>(() => TorrentInfo.LoadAsync("/dev/zero"));
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }
}
