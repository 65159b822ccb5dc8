using TorrentPS.Cli.Output;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Cli;

/// <summary>What a new user of <c>tps</c> ran into: answers that say what happened, in text a terminal cannot be tricked by.</summary>
public sealed class UsabilityVerbTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-usability-{Guid.NewGuid():N}");

    public UsabilityVerbTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Verify_of_a_folder_that_does_not_exist_says_so()
    {
        using var torrent = StorageTorrent.Single("gone.bin", 5000, 1024, seed: 31);
        var torrentPath = WriteTorrentFile(torrent.Torrent);
        var missing = Path.Combine(_folder, "nope");

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("verify", torrentPath, missing);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("Pieces: 0/5\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"the folder '{missing}' does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_to_a_destination_under_a_file_fails_before_connecting_to_any_peer()
    {
        using var torrent = StorageTorrent.Single("blocked.bin", 40_000, 16 * 1024, seed: 32);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var file = Path.Combine(_folder, "a-file");
        await File.WriteAllTextAsync(file, "in the way");

        var (exitCode, _, stderr) = await CliRunner.RunAsync("download", "-o", Path.Combine(file, "sub", "blocked.bin"), WriteTorrentFile(torrent.Torrent), "--peer", peer.EndPoint.ToString(), "--timeout", "30");

        Assert.Equal(1, exitCode);
        Assert.Contains($"'{file}' is a file where a folder must be", stderr, StringComparison.Ordinal);
        Assert.Equal(0, peer.Connections);
    }

    [Fact]
    public void The_status_line_counts_in_words_and_escapes_the_name()
    {
        var status = new TorrentStatus
        {
            Name = "\u001b[2Jevil",
            Hash = InfoHash.Parse(new string('a', 40)),
            State = TorrentState.Downloading,
            TotalBytes = 100,
            PeersConnected = 1,
            Seeds = 1,
        };

        var line = StatusLine.Format(status);

        Assert.StartsWith("\\x1b[2Jevil: ", line, StringComparison.Ordinal);
        Assert.Contains(", 1 peer (1 seed)", line, StringComparison.Ordinal);
        Assert.Contains(", 2 peers (0 seeds)", StatusLine.Format(status with { PeersConnected = 2, Seeds = 0 }), StringComparison.Ordinal);
    }

    private string WriteTorrentFile(TorrentInfo torrent)
    {
        var path = Path.Combine(_folder, torrent.Name + ".torrent");
        File.WriteAllBytes(path, [.. "d4:info"u8, .. torrent.GetRawInfo().Span, (byte)'e']);
        return path;
    }
}
