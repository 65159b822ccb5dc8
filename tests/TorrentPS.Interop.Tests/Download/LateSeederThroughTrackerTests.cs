using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// `tps download` listens from the start and announces exactly the port it listens on, so a seeder that joins the swarm
/// after the download began, and hears of it only from the tracker (opentracker answers every 27 minutes, so no re-announce
/// of ours can be what connects them), dials it and the download completes within seconds of the seeder's announce.
/// </summary>
public sealed class LateSeederThroughTrackerTests
{
    [Fact]
    public async Task A_seeder_that_starts_after_tps_download_reaches_it_through_the_tracker_within_seconds()
    {
        using var folder = new TempDirectory("tps-late-tracker");
        var trackerEndPoint = OpenTracker.ReserveEndPoint();
        var torrent = TestTorrent.Create(folder.Path, "late-tracked.bin", length: (2 * 1024 * 1024) + 333, pieceLength: 64 * 1024, announce: $"http://{trackerEndPoint}/announce");
        await using var live = await OpenTracker.StartAsync([torrent.Info.Hash.Hex], trackerEndPoint);
        var output = Path.Combine(folder.Path, "out.bin");

        // No --port: the default (6881 or the next free port) is what it listens on and announces.
        await using var download = Tps.Start(["download", "-o", output, torrent.TorrentPath, "--timeout", "120"]);
        await download.WaitForOutputAsync("Listening for peers on 0.0.0.0:", TimeSpan.FromSeconds(20));
        var listening = Regex.Match(download.Output, @"Listening for peers on 0\.0\.0\.0:(\d+)");
        var port = int.Parse(listening.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(port > 0);

        // It announced the port it listens on, and something answers there.
        var announced = new IPEndPoint(IPAddress.Loopback, port);
        await live.WaitUntilListedAsync(torrent.Info.Hash, announced, TimeSpan.FromSeconds(20));
        using (var probe = new TcpClient())
        {
            await probe.ConnectAsync(announced.Address, announced.Port);
        }

        var joined = Stopwatch.StartNew();
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await download.WaitForOutputAsync("Downloaded ", TimeSpan.FromSeconds(60));

        Assert.True(joined.Elapsed < TimeSpan.FromSeconds(20), $"the download took {joined.Elapsed} after the seeder joined:\n{download.Output}\n--- seeder\n{seeder.Output}");
        Assert.Equal(await File.ReadAllBytesAsync(torrent.DataPath), await File.ReadAllBytesAsync(output));
    }
}
