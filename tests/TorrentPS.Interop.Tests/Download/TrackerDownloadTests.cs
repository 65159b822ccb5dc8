using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>A download whose only peer source is a real opentracker (whitelist mode) that a libtorrent seeder announced to.</summary>
public sealed class TrackerDownloadTests
{
    [Theory]
    [InlineData("http")]
    [InlineData("udp")]
    public async Task A_download_finds_its_seeder_through_the_torrents_opentracker_alone(string scheme)
    {
        using var folder = new TempDirectory("tps-dl-trk");
        var trackerEndPoint = OpenTracker.ReserveEndPoint();
        var torrent = TestTorrent.Create(folder.Path, $"tracked-{scheme}.bin", length: (2 * 1024 * 1024) + 5, pieceLength: 64 * 1024, announce: $"{scheme}://{trackerEndPoint}/announce");
        await using var tracker = await OpenTracker.StartAsync([torrent.Info.Hash.Hex], trackerEndPoint);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await tracker.WaitUntilListedAsync(torrent.Info.Hash, seeder.EndPoint, TimeSpan.FromSeconds(30));
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);
        download.Explain(() => tracker.Output);
        var options = download.Options() with { UseTrackers = true };

        var running = download.Start(torrent, options);
        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
        Assert.Contains(download.LogMessages, m => m.Contains("named", StringComparison.Ordinal) && m.Contains(tracker.Address.ToString(), StringComparison.Ordinal));
    }
}
