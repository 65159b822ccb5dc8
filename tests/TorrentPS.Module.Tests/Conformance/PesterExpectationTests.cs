using System.Collections.Specialized;
using System.Security.Cryptography;
using System.Text;
using TorrentPS.Bridge;
using TorrentPS.Conversion;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Formatting;
using TorrentPS.Peers;

namespace TorrentPS.Module.Tests.Conformance;

/// <summary>
/// The values tests/pester asserts, checked here where no PowerShell runs: the same inputs the Pester tests build
/// (TestTorrents.ps1's New-TestTorrent, the literal bencode and magnet links) through the code the cmdlets call, so a
/// Pester expectation that the engine does not meet fails here first.
/// </summary>
public class PesterExpectationTests
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello, torrent\n");

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] PieceHashes(byte[] data, int pieceLength)
    {
        var hashes = new List<byte>();
        for (var offset = 0; offset < data.Length; offset += pieceLength)
        {
            hashes.AddRange(SHA1.HashData(data.AsSpan(offset, Math.Min(pieceLength, data.Length - offset))));
        }

        return [.. hashes];
    }

    /// <summary>New-TestTorrent's single-file torrent, made with the converter ConvertTo-Bencode uses.</summary>
    private static TorrentInfo SingleFile()
    {
        var info = new OrderedDictionary { ["length"] = Hello.Length, ["name"] = "hello.txt", ["piece length"] = 32768, ["pieces"] = PieceHashes(Hello, 32768) };
        var metainfo = new OrderedDictionary { ["announce"] = "http://127.0.0.1:6969/announce", ["info"] = info, ["comment"] = "made by Pester", ["creation date"] = 1700000000 };
        return TorrentInfo.Parse(BencodeObjectConverter.Encode(metainfo), "/tmp/hello.torrent");
    }

    /// <summary>New-TestTorrent's multi-file torrent of Get-TorrentInfo.Tests.ps1 ('album').</summary>
    private static TorrentInfo MultiFile()
    {
        var track = new byte[40000];
        var cover = Encoding.UTF8.GetBytes("jpeg bytes");
        var files = new object[]
        {
            new OrderedDictionary { ["length"] = track.Length, ["path"] = new object[] { "cd1", "track1.flac" } },
            new OrderedDictionary { ["length"] = cover.Length, ["path"] = new object[] { "cover.jpg" } },
        };
        var info = new OrderedDictionary { ["files"] = files, ["name"] = "album", ["piece length"] = 16384, ["pieces"] = PieceHashes([.. track, .. cover], 16384), ["private"] = 1 };
        var metainfo = new OrderedDictionary { ["announce"] = "http://127.0.0.1:6969/announce", ["info"] = info, ["creation date"] = 1700000000 };
        return TorrentInfo.Parse(BencodeObjectConverter.Encode(metainfo));
    }

    private static TorrentPSException Fails(Action action) => Assert.IsAssignableFrom<TorrentPSException>(Record.Exception(action));

    [Fact]
    public void Get_TorrentInfo_single_file_values()
    {
        var t = SingleFile();
        Assert.Equal(("hello.txt", 15L, 32768L, 1, 1, false), (t.Name, t.Length, t.PieceLength, t.PieceCount, t.FileCount, t.IsMultiFile));
        Assert.Equal("http://127.0.0.1:6969/announce", t.Announce);
        Assert.Equal("made by Pester", t.Comment);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), t.CreationDate);
        Assert.Equal("cf1a5502794bbbd5aff203cdc18519d15416fa04", t.Hash.Hex);
        Assert.Equal("15 B", ByteSize.Format(t.Length));
    }

    [Fact]
    public void Get_TorrentInfo_multi_file_values_and_their_formatted_sizes()
    {
        var t = MultiFile();
        Assert.Equal((true, true, 40010L, 3), (t.IsMultiFile, t.IsPrivate, t.Length, t.PieceCount));
        Assert.Equal(["cd1/track1.flac", "cover.jpg"], t.Files.Select(f => f.Path));
        Assert.Equal([0L, 40000L], t.Files.Select(f => f.Offset));
        Assert.Equal(["39.1 KiB", "16.0 KiB", "39.1 KiB", "10 B"], new[] { t.Length, t.PieceLength, t.Files[0].Length, t.Files[1].Length }.Select(ByteSize.Format));
        Assert.Equal("1.50 KiB", ByteSize.Format(1536));
    }

    [Theory]
    [InlineData("<html>not found</html>", "InvalidBencode")]
    [InlineData("garbage", "InvalidBencode")]
    [InlineData("d8:announce1:xe", "InvalidTorrent")]
    [InlineData("d4:infod6:lengthi100000e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "InvalidTorrent")]
    public void Get_TorrentInfo_error_ids(string content, string errorId)
    {
        var error = Fails(() => TorrentInfo.Parse(Ascii(content), "/tmp/x.torrent"));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidData, ErrorRecordFactory.Classify(error).Category);
    }

    [Fact]
    public void ConvertFrom_Bencode_reports_the_offset_of_malformed_input()
    {
        var error = Assert.IsType<BencodeException>(Record.Exception(() => BencodeObjectConverter.Decode(Ascii("d3:key"))));
        Assert.Equal(("InvalidBencode", 6L), (error.ErrorId, error.Offset));
        Assert.Equal("InvalidBencode", Fails(() => BencodeObjectConverter.Decode(Ascii("x"))).ErrorId);
        Assert.Equal("InvalidBencode", Fails(() => BencodeObjectConverter.Decode(Ascii("i1ei2e"))).ErrorId);
        Assert.Equal("héllo", BencodeObjectConverter.Decode(Encoding.UTF8.GetBytes("6:héllo")));
        Assert.Equal(long.MaxValue, BencodeObjectConverter.Decode(Ascii("i9223372036854775807e")));
    }

    [Fact]
    public void ConvertTo_Bencode_error_path_and_category()
    {
        var error = Assert.IsType<UnsupportedBencodeValueException>(Record.Exception(
            () => BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = new OrderedDictionary { ["length"] = 1.5 } })));
        Assert.Equal("$.info.length", error.ValuePath);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, ErrorRecordFactory.Classify(error).Category);
        Assert.Equal("BencodeNotText", Fails(() => BencodeObjectConverter.EncodeToText(new byte[] { 0xff })).ErrorId);
    }

    [Fact]
    public void ConvertTo_MagnetLink_text_of_the_single_file_torrent()
    {
        Assert.Equal(
            "magnet:?xt=urn:btih:cf1a5502794bbbd5aff203cdc18519d15416fa04&dn=hello.txt&xl=15&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce",
            SingleFile().ToMagnetLink().ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1/file.torrent")]
    [InlineData("magnet:?dn=nothing")]
    [InlineData("magnet:?xt=urn:btih:1234")]
    [InlineData("")]
    public void ConvertFrom_MagnetLink_error_id_and_category(string link)
    {
        var error = Fails(() => MagnetLink.Parse(link));
        Assert.Equal("InvalidMagnetLink", error.ErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, ErrorRecordFactory.Classify(error).Category);
    }

    [Fact]
    public void ConvertFrom_MagnetLink_values_and_base32()
    {
        var m = MagnetLink.Parse("magnet:?xt=urn:btih:cf1a5502794bbbd5aff203cdc18519d15416fa04&dn=hello.txt&xl=15&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr=udp%3A%2F%2F127.0.0.2%3A6969&x.pe=127.0.0.3%3A51413");
        Assert.Equal(("hello.txt", (long?)15), (m.DisplayName, m.ExactLength));
        Assert.Equal(["http://127.0.0.1:6969/announce", "udp://127.0.0.2:6969"], m.Trackers);
        Assert.Equal(["127.0.0.3:51413"], m.PeerAddresses);
        Assert.Equal(m.Hash, MagnetLink.Parse("magnet:?xt=urn:btih:Z4NFKATZJO55LL7SAPG4DBIZ2FKBN6QE").Hash);
    }

    [Fact]
    public async Task Invoke_PeerHandshake_refuses_a_malformed_address_as_InvalidPeerAddress()
    {
        var error = await Assert.ThrowsAsync<TorrentPSException>(() => PeerHandshakeTargets.ResolveAsync("not-an-address", InfoHash.Parse(new string('a', 40)), CancellationToken.None));
        Assert.Equal("InvalidPeerAddress", error.ErrorId);
    }
}
