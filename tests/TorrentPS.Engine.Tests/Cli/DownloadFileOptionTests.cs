using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Cli;

/// <summary>
/// <c>tps download --file/--exclude/--sequential</c>: only the files chosen are written (the others never created), a
/// file the torrent does not have or a bad pattern is said before any peer is asked, and the pieces come in order.
/// </summary>
public sealed class DownloadFileOptionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-files-{Guid.NewGuid():N}");

    // 16 KiB pieces: a.bin 0..40000 (pieces 0-2), movie.mkv 40000..90000 (pieces 2-5), notes/c.txt 90000..100000 (piece 5).
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "files",
        16 * 1024,
        TestFile.Random("a.bin", 40_000, 1),
        TestFile.Random("movie.mkv", 50_000, 2),
        TestFile.Random("notes/c.txt", 10_000, 3));

    public DownloadFileOptionTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        _t.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string TorrentFile()
    {
        var path = Path.Combine(_folder, "files.torrent");
        File.WriteAllBytes(path, [.. "d4:info"u8, .. _t.Torrent.GetRawInfo().Span, (byte)'e']);
        return path;
    }

    [Fact]
    public async Task Download_with_file_writes_only_the_chosen_files_in_order()
    {
        await using var peer = new FakePeer(_t.Torrent, _t.Content);
        var output = Path.Combine(_folder, "out");

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("download", "-o", output, TorrentFile(), "--file", "*.mkv", "--file", "notes/*", "--sequential", "--peer", peer.EndPoint.ToString(), "--timeout", "30");

        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        Assert.StartsWith("Downloaded ", stdout, StringComparison.Ordinal);
        Assert.Equal(_t.Files[1].Content, await File.ReadAllBytesAsync(Path.Combine(output, "movie.mkv")));
        Assert.Equal(_t.Files[2].Content, await File.ReadAllBytesAsync(Path.Combine(output, "notes", "c.txt")));
        Assert.False(File.Exists(Path.Combine(output, "a.bin")));
    }

    [Fact]
    public async Task Download_with_exclude_leaves_those_files_out()
    {
        await using var peer = new FakePeer(_t.Torrent, _t.Content);
        var output = Path.Combine(_folder, "out");

        var (exitCode, _, stderr) = await CliRunner.RunAsync("download", "-o", output, TorrentFile(), "--exclude", "*.mkv", "--exclude", "notes/*", "--peer", peer.EndPoint.ToString(), "--timeout", "30");

        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        Assert.Equal(_t.Files[0].Content, await File.ReadAllBytesAsync(Path.Combine(output, "a.bin")));
        Assert.False(File.Exists(Path.Combine(output, "movie.mkv")));
        Assert.False(Directory.Exists(Path.Combine(output, "notes")));
    }

    [Fact]
    public async Task A_file_the_torrent_does_not_have_is_an_error_before_any_peer_is_asked()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("download", "-o", Path.Combine(_folder, "out"), TorrentFile(), "--file", "missing.mkv", "--peer", "127.0.0.1:9");

        Assert.Equal(1, exitCode);
        Assert.Contains("has no file 'missing.mkv'", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    [Fact]
    public async Task A_choice_that_leaves_nothing_is_an_error_and_a_bad_pattern_a_usage_error()
    {
        var nothing = await CliRunner.RunAsync("download", "-o", Path.Combine(_folder, "out"), TorrentFile(), "--file", "*.iso", "--peer", "127.0.0.1:9");
        var bad = await CliRunner.RunAsync("download", "-o", Path.Combine(_folder, "out"), TorrentFile(), "--file", "[z-a]", "--peer", "127.0.0.1:9");

        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("No file of 'files' is left to download", nothing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("runs backwards", bad.Stderr, StringComparison.Ordinal);
    }
}
