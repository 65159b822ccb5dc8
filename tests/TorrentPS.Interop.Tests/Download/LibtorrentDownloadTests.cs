using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

public sealed class LibtorrentDownloadTests
{
    [Fact]
    public async Task A_single_file_torrent_downloads_from_a_libtorrent_seeder_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-dl-lt");
        var torrent = TestTorrent.Create(folder.Path, "single.bin", length: (8 * 1024 * 1024) + 12345, pieceLength: 256 * 1024);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        var destination = folder.Combine("out");
        await using var session = new TorrentSession();
        var options = new TorrentOptions
        {
            Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, destination)),
            Peers = [seeder.EndPoint],
            UseTrackers = false,
            LocalAddress = Loopback.NextAddress(),
            NoProgressTimeout = TimeSpan.FromSeconds(30),
        };

        var running = session.Start(torrent.Info, options);
        var result = await running.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(torrent.Info.PieceCount, result.VerifiedPieces);
        Assert.Equal(File.ReadAllBytes(torrent.DataPath), File.ReadAllBytes(Path.Combine(destination, "single.bin")));
    }
}
