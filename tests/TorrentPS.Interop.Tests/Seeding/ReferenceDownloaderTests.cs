using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Seeding;

/// <summary>The reference clients each download a torrent from a TorrentPS seeder on loopback, byte for byte.</summary>
public sealed class ReferenceDownloaderTests
{
    private static readonly TimeSpan Download = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Libtorrent_downloads_a_torrent_from_our_seeder_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-seed-lt");
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: (4 * 1024 * 1024) + 12345, pieceLength: 256 * 1024);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent);
        await using var downloader = await LibtorrentDownloader.StartAsync(torrent.Info, seeder.EndPoint);

        await downloader.WaitFinishedAsync(Download);

        await SameBytes.AssertAsync(torrent.DataPath, downloader.DownloadPath);
        var result = await seeder.Torrent.StopAsync();
        Assert.True(result.Uploaded >= torrent.Info.Length, $"uploaded {result.Uploaded} of {torrent.Info.Length}");
        Assert.Equal(0, result.Downloaded);
    }

    [Fact]
    public async Task Libtorrent_that_insists_on_an_encrypted_handshake_downloads_from_our_seeder_in_plaintext_after_it()
    {
        using var folder = new TempDirectory("tps-seed-lt-mse");
        var torrent = TestTorrent.Create(folder.Path, "obfuscated.bin", length: (2 * 1024 * 1024) + 777, pieceLength: 256 * 1024);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent);
        await using var downloader = await LibtorrentDownloader.StartAsync(torrent.Info, forcedEncryption: true, seeder.EndPoint);

        await downloader.WaitFinishedAsync(Download);

        await SameBytes.AssertAsync(torrent.DataPath, downloader.DownloadPath);
        var result = await seeder.Torrent.StopAsync();
        Assert.True(result.Uploaded >= torrent.Info.Length, $"uploaded {result.Uploaded} of {torrent.Info.Length}");
    }

    [Fact]
    public async Task Libtorrent_downloads_a_multi_file_torrent_made_by_mktorrent_from_our_seeder_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-seed-lt-multi");
        var content = folder.Combine("data", "album");
        Directory.CreateDirectory(Path.Combine(content, "disc 2"));

        // Files that end mid-piece, a one-byte file, and a piece that spans four files.
        var random = new Random(11);
        foreach (var (name, length) in new[] { ("a.bin", 100_000), ("b.bin", 1), ("disc 2/c.bin", 40_000), ("disc 2/d.bin", 7), ("e.bin", 300_001) })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(content, name), bytes);
        }

        var torrentPath = folder.Combine("album.torrent");
        await Mktorrent.CreateAsync(content, torrentPath, new MktorrentOptions { TrackerTiers = [["http://127.0.0.1:1/announce"]] });
        var info = await TorrentInfo.LoadAsync(torrentPath);
        await using var seeder = await TorrentPSSeeder.StartAsync(info, folder.Combine("data"));
        await using var downloader = await LibtorrentDownloader.StartAsync(info, seeder.EndPoint);

        await downloader.WaitFinishedAsync(Download);

        await SameBytes.AssertAsync(content, downloader.DownloadPath);
    }

    [Fact]
    public async Task Aria2_finds_our_seeder_through_the_tracker_at_its_listen_port_and_downloads_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-seed-aria2");
        var trackerEndPoint = OpenTracker.ReserveEndPoint();
        var announce = $"http://{trackerEndPoint}/announce";
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: (3 * 1024 * 1024) + 777, pieceLength: 128 * 1024, announce: announce);
        await using var tracker = await OpenTracker.StartAsync([torrent.Info.Hash.Hex], trackerEndPoint);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent, o => o with { UseTrackers = true });

        // What the tracker heard is where we listen: aria2 has no other way to find us.
        await TrackerProbe.WaitAsync(announce, torrent.Info.Hash, seeder.EndPoint);
        await using var downloader = await Aria2Downloader.StartAsync(torrent.Info);
        await downloader.WaitFinishedAsync(Download);

        await SameBytes.AssertAsync(torrent.DataPath, downloader.DownloadPath);
    }

    /// <summary>
    /// transmission-cli drops every 127.x address a tracker (or PEX, or its resume file) names, so on loopback it can only
    /// download from a peer that dials it: our seed is given its address and dials it.
    /// </summary>
    [Fact]
    public async Task Transmission_downloads_from_our_seeder_which_dials_it_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-seed-tr");
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: (2 * 1024 * 1024) + 4321, pieceLength: 64 * 1024);
        await using var downloader = await TransmissionDownloader.StartAsync(torrent.Info);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent, o => o with { Peers = [downloader.EndPoint] });

        await downloader.WaitFinishedAsync(TimeSpan.FromSeconds(90));

        await SameBytes.AssertAsync(torrent.DataPath, downloader.DownloadPath);
        Assert.Equal(TorrentState.Seeding, seeder.Torrent.Status.State);
    }
}
