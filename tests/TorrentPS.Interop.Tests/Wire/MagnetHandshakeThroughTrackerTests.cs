using TorrentPS.Cli;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>
/// The whole `tps magnet_handshake` path with nothing but a magnet link: a libtorrent seeder announces to a real
/// opentracker over UDP, and the link names only that tracker (no x.pe).
/// </summary>
public sealed class MagnetHandshakeThroughTrackerTests
{
    [Fact]
    public async Task Tps_magnet_handshake_finds_the_seeder_through_the_links_udp_tracker()
    {
        using var folder = new TempDirectory("tps-magnet-tr");
        var trackerEndPoint = OpenTracker.ReserveEndPoint();
        var torrent = TestTorrent.Create(folder.Path, name: "magnet-tracker.bin", length: 300_000, pieceLength: 32 * 1024, announce: $"udp://{trackerEndPoint}/announce");
        await using var tracker = await OpenTracker.StartAsync([torrent.Info.Hash.Hex], trackerEndPoint);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        var link = $"magnet:?xt=urn:btih:{torrent.Info.Hash.Hex}&dn=magnet-tracker.bin&tr={Uri.EscapeDataString(tracker.UdpAnnounceUrl)}";

        // libtorrent announces on its own schedule after it starts: ask until the tracker lists it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int code;
        StringWriter stdout;
        StringWriter stderr;
        do
        {
            stdout = new StringWriter();
            stderr = new StringWriter();
            code = await CliApp.RunAsync(["magnet_handshake", link], stdout, stderr, CancellationToken.None);
            if (code == 0)
            {
                break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(code == 0, $"{stderr}\n--- seeder ---\n{seeder.Output}");
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Matches("^Peer ID: 2d4c5432303830[0-9a-f]{26}$", lines[0]);
        Assert.Matches("^Peer Metadata Extension ID: [1-9][0-9]*$", lines[1]);
    }
}
