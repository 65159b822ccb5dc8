using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>Whole downloads by our engine from aria2 and transmission seeders on loopback, compared byte for byte.</summary>
public sealed class ReferenceSeederDownloadTests
{
    [Fact]
    public async Task A_single_file_torrent_downloads_from_an_aria2_seeder_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-dl-a2");
        var torrent = TestTorrent.Create(folder.Path, "aria2-single.bin", length: (3 * 1024 * 1024) + 4321, pieceLength: 64 * 1024);

        var result = await InteropDownload.FromSeederAsync(torrent, Aria2Seeder.StartAsync);

        Assert.Equal(torrent.Info.Length, result.Length);
        Assert.Equal(0, result.HashFailures);
    }

    [Fact]
    public async Task A_multi_file_torrent_made_by_mktorrent_downloads_from_an_aria2_seeder_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-dl-a2m");
        var data = folder.Combine("data");
        var root = TestContent.CreateTree(data, "aria2-tree", ("a.bin", 100_000), ("sub/b.bin", 1), ("sub/deeper/c.bin", 250_000), ("sub/empty.txt", 0));
        var torrentPath = folder.Combine("aria2-tree.torrent");
        await Mktorrent.CreateAsync(root, torrentPath, new MktorrentOptions { PieceLengthExponent = 15 });
        var torrent = TestTorrent.Load(data, torrentPath);

        var result = await InteropDownload.FromSeederAsync(torrent, Aria2Seeder.StartAsync);

        Assert.Equal(torrent.Info.Files.Count, result.Files.Count);
    }

    [Fact]
    public async Task A_single_file_torrent_downloads_from_a_transmission_seeder_that_only_serves_peers_dialling_it()
    {
        // transmission ignores loopback peers from trackers and unchokes after about ten seconds: our client dials it.
        using var folder = new TempDirectory("tps-dl-tr");
        var torrent = TestTorrent.Create(folder.Path, "transmission-single.bin", length: (2 * 1024 * 1024) + 777, pieceLength: 32 * 1024);

        var result = await InteropDownload.FromSeederAsync(torrent, TransmissionSeeder.StartAsync, seconds: 90);

        Assert.Equal(0, result.HashFailures);
    }
}
