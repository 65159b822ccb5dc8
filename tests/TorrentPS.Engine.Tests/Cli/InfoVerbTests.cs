using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Tests.Metainfo;
using static TorrentPS.Engine.Tests.Metainfo.TestTorrent;

namespace TorrentPS.Engine.Tests.Cli;

public sealed class InfoVerbTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-cli-{Guid.NewGuid():N}");

    public InfoVerbTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(TestTorrent torrent, string name = "t.torrent")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, torrent.ToBytes());
        return path;
    }

    [Fact]
    public async Task Prints_a_single_file_torrent_in_the_challenge_format()
    {
        var content = Content(40);
        var builder = SingleFile("sample.txt", content, pieceLength: 16);
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("info", Write(builder));

        var hashes = PieceHashes(content, 16);
        var expected =
            "Tracker URL: http://127.0.0.1:6969/announce\n" +
            "Length: 40\n" +
            $"Info Hash: {builder.ExpectedInfoHashHex()}\n" +
            "Piece Length: 16\n" +
            "Piece Hashes:\n" +
            $"{Convert.ToHexString(hashes, 0, 20).ToLowerInvariant()}\n" +
            $"{Convert.ToHexString(hashes, 20, 20).ToLowerInvariant()}\n" +
            $"{Convert.ToHexString(hashes, 40, 20).ToLowerInvariant()}\n";
        Assert.Equal(0, exitCode);
        Assert.Equal(expected, stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Prints_the_files_of_a_multi_file_torrent_after_the_piece_hashes()
    {
        var files = List(
            FileEntry(10, "a.txt"),
            Dict(("attr", Str("p")), ("length", Int(6)), ("path", List(Str(".pad"), Str("6")))),
            FileEntry(0, "sub", "empty"),
            FileEntry(16, "sub", "deeper", "b.bin"));
        var builder = MultiFile("top", [("x", Content(32))], pieceLength: 16).Info("files", files);
        var torrent = TorrentInfo.Parse(builder.ToBytes());
        var (exitCode, stdout, _) = await CliRunner.RunAsync("info", Write(builder));

        var expected =
            "Tracker URL: http://127.0.0.1:6969/announce\n" +
            "Length: 32\n" +
            $"Info Hash: {builder.ExpectedInfoHashHex()}\n" +
            "Piece Length: 16\n" +
            "Piece Hashes:\n" +
            $"{torrent.GetPieceHashes()[0]}\n{torrent.GetPieceHashes()[1]}\n" +
            "Files:\n" +
            "10 top/a.txt\n" +
            "0 top/sub/empty\n" +
            "16 top/sub/deeper/b.bin\n";
        Assert.Equal(0, exitCode);
        Assert.Equal(expected, stdout);
    }

    [Fact]
    public async Task Leaves_out_the_tracker_line_when_there_is_no_tracker()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync("info", Write(SingleFile("f", Content(10)).Root("announce", null)));
        Assert.Equal(0, exitCode);
        Assert.StartsWith("Length: 10\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_fails_with_a_not_found_message()
    {
        var path = Path.Combine(_folder, "missing.torrent");
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("info", path);
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"tps info: The torrent file '{path}' does not exist.\n", stderr);
    }

    [Fact]
    public async Task Invalid_torrent_fails_with_one_line_saying_why()
    {
        var path = Write(SingleFile("f", Content(50)).Info("pieces", new Engine.Bencode.BencodeString(new byte[21])));
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("info", path);
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"tps info: {path}: 'pieces' is 21 bytes, not a multiple of 20\n", stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_bencode_fails_with_the_offset()
    {
        var path = Path.Combine(_folder, "text.torrent");
        await File.WriteAllTextAsync(path, "hello");
        var (exitCode, _, stderr) = await CliRunner.RunAsync("info", path);
        Assert.Equal(1, exitCode);
        Assert.Contains($"{path}: invalid bencode at byte 0", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Wrong_argument_count_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("info");
        Assert.Equal(2, exitCode);
        Assert.Contains("Usage: tps info <file.torrent>", stderr, StringComparison.Ordinal);

        var (empty, _, emptyStderr) = await CliRunner.RunAsync("info", "");
        Assert.Equal(2, empty);
        Assert.Contains("file name is empty", emptyStderr, StringComparison.Ordinal);
    }
}
