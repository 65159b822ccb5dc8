using System.Net;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>Seeders that come late or go away mid-download: the download waits, retries, and completes byte for byte.</summary>
public sealed class ChangingSwarmDownloadTests
{
    [Fact]
    public async Task A_download_started_before_its_seeder_waits_for_it_and_completes()
    {
        using var folder = new TempDirectory("tps-dl-late");
        var torrent = TestTorrent.Create(folder.Path, "late.bin", length: (1024 * 1024) + 17, pieceLength: 32 * 1024);
        var address = Loopback.NextAddress();
        var seederEndPoint = new IPEndPoint(address, Loopback.FreePort(address));
        await using var download = new InteropDownload();
        var running = download.Start(torrent, download.Options(seederEndPoint));

        // It tried the seeder's address (nobody answered) and waits on.
        await download.WaitUntilAsync(() => download.LogMessages.Any(m => m.Contains($"dialling {seederEndPoint} failed", StringComparison.Ordinal)), "the download tried the absent seeder");
        Assert.False(running.Completion.IsCompleted, $"the download ended with no seeder\n{download.Diagnostics()}");
        Assert.Equal(TorrentState.Downloading, running.Status.State);
        Assert.Equal(0, running.Status.VerifiedPieces);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { EndPoint = seederEndPoint });
        download.Explain(() => seeder.Output);

        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
    }

    [Fact]
    public async Task A_seeder_that_dies_mid_download_is_made_up_for_by_one_that_joins_later()
    {
        using var folder = new TempDirectory("tps-dl-die");
        var torrent = TestTorrent.Create(folder.Path, "dies.bin", length: (4 * 1024 * 1024) + 3, pieceLength: 64 * 1024);
        await using var download = new InteropDownload();
        var first = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = 1024 * 1024 });
        download.Explain(() => first.Output);
        var running = download.Start(torrent, download.Options(first.EndPoint));
        await download.WaitUntilAsync(() => running.Status.VerifiedPieces >= 8, "eight pieces arrived from the first seeder");

        await first.DisposeAsync();
        await download.WaitUntilAsync(() => running.Status.PeersConnected == 0, "the download saw its seeder go");
        var stranded = running.Status;
        Assert.False(running.Completion.IsCompleted, $"the download ended when its seeder died\n{download.Diagnostics()}");
        Assert.True(stranded.VerifiedPieces < torrent.Info.PieceCount, "the first seeder finished before it died: nothing was tested");
        await using var second = await LibtorrentSeeder.StartAsync(torrent);
        download.Explain(() => second.Output);
        running.AddPeers([second.EndPoint]);

        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
        Assert.Equal(0, result.HashFailures);
    }
}
