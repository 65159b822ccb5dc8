using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using static TorrentPS.Engine.Tests.Metainfo.TestTorrent;

namespace TorrentPS.Engine.Tests.Metainfo;

/// <summary>Every way a .torrent can be unusable gives an InvalidTorrentException that says what is wrong.</summary>
public class TorrentInfoValidationTests
{
    private static InvalidTorrentException Invalid(TestTorrent torrent, string expectedInMessage)
        => Invalid(torrent.ToBytes(), expectedInMessage);

    private static InvalidTorrentException Invalid(byte[] bytes, string expectedInMessage)
    {
        var error = Assert.Throws<InvalidTorrentException>(() => TorrentInfo.Parse(bytes, "test.torrent"));
        Assert.Equal("InvalidTorrent", error.ErrorId);
        Assert.Equal(Errors.TorrentErrorKind.InvalidData, error.Kind);
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.torrent: ", error.Message, StringComparison.Ordinal);
        Assert.Equal("test.torrent", error.Source);
        return error;
    }

    private static TestTorrent Valid() => SingleFile("f", Content(50), pieceLength: 16);

    private static TestTorrent ValidMulti() => MultiFile("m", [("a", Content(10)), ("b/c", Content(10))], pieceLength: 16);

    [Fact]
    public void Pieces_length_not_a_multiple_of_20()
        => Invalid(Valid().Info("pieces", new BencodeString(new byte[79])), "'pieces' is 79 bytes, not a multiple of 20");

    [Fact]
    public void Too_few_piece_hashes_for_the_length()
        => Invalid(Valid().Info("pieces", new BencodeString(new byte[60])), "3 piece hashes for 50 bytes in pieces of 16 bytes; expected 4");

    [Fact]
    public void Too_many_piece_hashes_for_the_length()
        => Invalid(Valid().Info("pieces", new BencodeString(new byte[100])), "5 piece hashes for 50 bytes in pieces of 16 bytes; expected 4");

    [Fact]
    public void Piece_hashes_for_an_empty_torrent()
        => Invalid(Valid().Info("length", Int(0)), "4 piece hashes for 0 bytes");

    [Theory]
    [InlineData("piece length", "the info dictionary has no 'piece length' (an integer)")]
    [InlineData("pieces", "the info dictionary has no 'pieces' (a byte string)")]
    [InlineData("name", "the info dictionary has no 'name' (a byte string)")]
    [InlineData("length", "the torrent has no 'length' (an integer)")]
    public void Missing_info_keys(string key, string message)
        => Invalid(Valid().Info(key, null), message);

    [Fact]
    public void Missing_info_dictionary()
        => Invalid(Ascii("d8:announce3:urle"), "the torrent has no 'info' dictionary");

    [Fact]
    public void Missing_file_length_and_path()
    {
        Invalid(ValidMulti().Info("files", List(Dict(("path", List(Str("a")))))), "file 0 has no 'length' (an integer)");
        Invalid(ValidMulti().Info("files", List(FileEntry(20, "a"), Dict(("length", Int(0))))), "file 1 has no 'path' (a list)");
    }

    [Theory]
    [InlineData("piece length", "'piece length' in the info dictionary is a byte string, expected an integer")]
    [InlineData("length", "'length' in the torrent is a byte string, expected an integer")]
    public void Integers_given_as_strings(string key, string message)
        => Invalid(Valid().Info(key, Str("16")), message);

    [Fact]
    public void Wrong_types()
    {
        Invalid(Valid().Info("pieces", Int(5)), "'pieces' in the info dictionary is an integer, expected a byte string");
        Invalid(Valid().Info("name", List()), "'name' in the info dictionary is a list, expected a byte string");
        Invalid(Ascii("d4:infoli1eee"), "'info' is a list, expected a dictionary");
        Invalid(ValidMulti().Info("files", Dict()), "'files' is a dictionary, expected a list");
        Invalid(ValidMulti().Info("files", List(Int(1))), "file 0 is an integer, expected a dictionary");
        Invalid(ValidMulti().Info("files", List(Dict(("length", Int(20)), ("path", Str("a/b"))))), "'path' in file 0 is a byte string, expected a list");
        Invalid(ValidMulti().Info("files", List(Dict(("length", Int(20)), ("path", List(Str("a"), Int(1)))))), "file 0 has a path segment that is an integer, expected a byte string");
        Invalid(ValidMulti().Info("files", List(Dict(("length", Str("20")), ("path", List(Str("a")))))), "'length' in file 0 is a byte string, expected an integer");
    }

    [Fact]
    public void Root_that_is_not_a_dictionary()
    {
        Invalid(Ascii("li1ee"), "bencode but not a dictionary");
    }

    [Fact]
    public void Malformed_bencode_reports_the_offset()
    {
        var bytes = Valid().ToBytes();
        var error = Assert.Throws<BencodeException>(() => TorrentInfo.Parse(bytes[..^1]));
        Assert.Equal(bytes.Length - 1, error.Offset);
    }

    [Fact]
    public void Empty_file_list_and_empty_path()
    {
        Invalid(ValidMulti().Info("files", List()), "'files' is empty");
        Invalid(ValidMulti().Info("files", List(Dict(("length", Int(20)), ("path", List())))), "file 0 has an empty path");
    }

    [Fact]
    public void Negative_lengths()
    {
        Invalid(Valid().Info("length", Int(-1)), "the torrent has a negative length (-1)");
        Invalid(ValidMulti().Info("files", List(FileEntry(30, "a"), FileEntry(-10, "b"))), "file 1 has a negative length (-10)");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-16L)]
    public void Piece_length_that_is_not_positive(long pieceLength)
        => Invalid(Valid().Info("piece length", Int(pieceLength)), $"'piece length' must be positive, not {pieceLength}");

    [Fact]
    public void Piece_length_larger_than_supported()
        => Invalid(Valid().Info("piece length", Int(1L << 40)), "larger than the largest supported");

    [Fact]
    public void Total_length_that_overflows_64_bits_is_an_invalid_torrent_not_an_overflow_exception()
    {
        var files = List(FileEntry(long.MaxValue, "a"), FileEntry(long.MaxValue, "b"), FileEntry(10, "c"));
        var exception = Record.Exception(() => TorrentInfo.Parse(ValidMulti().Info("files", files).ToBytes()));
        var error = Assert.IsType<InvalidTorrentException>(exception);
        Assert.Contains("add up to more than 9223372036854775807 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Total_length_of_exactly_the_64_bit_maximum_is_checked_against_the_piece_count()
    {
        // Sums to long.MaxValue without overflowing; then the piece count (not an overflow) is the problem.
        var files = List(FileEntry(long.MaxValue - 1, "a"), FileEntry(1, "b"));
        Invalid(ValidMulti().Info("files", files).Info("piece length", Int(int.MaxValue)), "piece hashes for 9223372036854775807 bytes");
    }

    [Fact]
    public void Never_anything_but_a_typed_error_for_mutated_torrents()
    {
        var valid = ValidMulti().Root("announce-list", List(List(Str("http://127.0.0.1:1/a")))).Root("url-list", Str("http://127.0.0.1:2/")).ToBytes();
        var random = new Random(5);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var e = 0; e < random.Next(1, 3); e++)
            {
                bytes[random.Next(bytes.Length)] = (byte)"ilde:0123456789-x"[random.Next(17)];
            }

            var exception = Record.Exception(() => TorrentInfo.Parse(bytes));
            Assert.True(
                exception is null or BencodeException or InvalidTorrentException or UnsupportedTorrentException,
                $"mutation {i}: {exception?.GetType().Name} for {Convert.ToHexString(bytes)}: {exception}");
        }
    }
}
