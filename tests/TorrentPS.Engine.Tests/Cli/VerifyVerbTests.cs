using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Cli;

public sealed class VerifyVerbTests : IDisposable
{
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "album",
        1000,
        TestFile.Random("cd1/a.flac", 2500, 1),
        TestFile.Random("cd1/b.flac", 1800, 2),
        TestFile.Random("cover.jpg", 700, 3));

    private readonly string _torrentPath;

    public VerifyVerbTests()
    {
        _torrentPath = Path.Combine(_t.Folder, "album.torrent");
        File.WriteAllBytes(_torrentPath, StorageTorrent.MultiFileBytes("album", 1000, _t.Files));
        _t.WriteContent();
    }

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task Complete_data_prints_the_piece_count_and_exits_0()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("verify", _torrentPath, _t.Folder);
        Assert.Equal((0, "Pieces: 5/5\n", string.Empty), (exitCode, stdout, stderr));
    }

    [Fact]
    public async Task Each_problem_gets_its_line_and_the_exit_code_is_1()
    {
        // a.flac: one byte flipped in piece 1; b.flac (bytes 2500..4300, pieces 2 to 4) gone; cover.jpg cut short.
        var a = File.ReadAllBytes(_t.PathOf(0));
        a[1500] ^= 0x04;
        File.WriteAllBytes(_t.PathOf(0), a);
        File.Delete(_t.PathOf(1));
        var (exitCode, stdout, _) = await CliRunner.RunAsync("verify", _torrentPath, _t.Folder);
        Assert.Equal(1, exitCode);
        Assert.Equal("Pieces: 1/5\nMissing file: album/cd1/b.flac\nInvalid piece: 1\n", stdout);

        File.WriteAllBytes(_t.PathOf(1), _t.Files[1].Content);
        File.WriteAllBytes(_t.PathOf(2), _t.Files[2].Content[..100]);
        (exitCode, stdout, _) = await CliRunner.RunAsync("verify", _torrentPath, _t.Folder);
        Assert.Equal((1, "Pieces: 3/5\nInvalid piece: 1\nMissing piece: 4\n"), (exitCode, stdout));
    }

    [Fact]
    public async Task A_folder_without_the_data_lists_every_file_as_missing()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_t.Folder, "empty")).FullName;
        var (exitCode, stdout, _) = await CliRunner.RunAsync("verify", _torrentPath, empty);
        Assert.Equal((1, "Pieces: 0/5\nMissing file: album/cd1/a.flac\nMissing file: album/cd1/b.flac\nMissing file: album/cover.jpg\n"), (exitCode, stdout));
    }

    [Theory]
    [InlineData]
    [InlineData("only.torrent")]
    [InlineData("a", "b", "c")]
    public async Task Wrong_arguments_are_a_usage_error(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(["verify", .. arguments]);
        Assert.Equal((2, string.Empty), (exitCode, stdout));
        Assert.Contains("Usage: tps verify <file.torrent> <folder>", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_torrent_or_a_file_as_the_folder_fails_with_exit_code_1_on_stderr()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("verify", Path.Combine(_t.Folder, "missing.torrent"), _t.Folder);
        Assert.Equal((1, string.Empty), (exitCode, stdout));
        Assert.Contains("missing.torrent", stderr, StringComparison.Ordinal);

        (exitCode, stdout, stderr) = await CliRunner.RunAsync("verify", _torrentPath, _torrentPath);
        Assert.Equal((1, string.Empty), (exitCode, stdout));
        Assert.Contains("is a file where a folder must be", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_verify()
    {
        var (_, stdout, _) = await CliRunner.RunAsync("--help");
        Assert.Contains("verify <file.torrent> <folder>", stdout, StringComparison.Ordinal);
    }
}
