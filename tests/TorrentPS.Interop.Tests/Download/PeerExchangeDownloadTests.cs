using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// Peer exchange (BEP 11) in a download, against libtorrent 2.0.8: given only a peer that has none of the data, the
/// download learns of the seeder through that peer's ut_pex and completes; and the peers we are connected to hear of
/// each other from us. The relay is libtorrent in share mode (see <see cref="LibtorrentRelay"/>: libtorrent relays
/// only peers it stays connected to, which an upload-only peer is not).
/// </summary>
public sealed class PeerExchangeDownloadTests
{
    [Fact]
    public async Task A_download_given_only_a_peer_without_data_finds_the_seeder_through_its_peer_exchange_and_completes()
    {
        using var folder = new TempDirectory("tps-pex");
        var torrent = TestTorrent.Create(folder.Path, "pex.bin", length: (2 * 1024 * 1024) + 5, pieceLength: 64 * 1024);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await using var relay = await LibtorrentRelay.StartAsync(torrent, seeder.EndPoint);
        await using var download = new InteropDownload();
        download.Explain(() => $"seeder:\n{seeder.Output}\nrelay:\n{relay.Output}");

        var result = await download.CompletionAsync(download.Start(torrent, download.Options(relay.EndPoint)));

        download.AssertComplete(result, torrent);
        Assert.Contains(download.LogMessages, m => m.Contains("through peer exchange", StringComparison.Ordinal));
        Assert.Contains(download.LogMessages, m => m.Contains($"connected to {seeder.EndPoint}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Libtorrent_hears_from_us_of_the_other_peers_we_are_connected_to()
    {
        using var folder = new TempDirectory("tps-pex-out");
        var torrent = TestTorrent.Create(folder.Path, "pex-out.bin", length: 16 * 1024 * 1024, pieceLength: 256 * 1024);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = 1024 * 1024 });
        await using var relay = await LibtorrentRelay.StartAsync(torrent, seeder.EndPoint);
        await using var download = new InteropDownload();
        download.Explain(() => $"relay:\n{relay.Output}");

        var running = download.Start(torrent, download.Options(seeder.EndPoint, relay.EndPoint));

        // Our first message to a peer is the full list of the others (the seeder, for the relay).
        await relay.WaitForOutputAsync("<== PEX", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("invalid_pex_message", relay.Output, StringComparison.Ordinal);
        await running.StopAsync();
    }
}
