using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Seeding;

/// <summary>What a real opentracker learns from a TorrentPS seed: where it listens, that it is a seed, and that it left.</summary>
public sealed class SeedingTrackerTests
{
    [Fact]
    public async Task Opentracker_lists_our_seed_at_its_listen_port_as_a_seed_until_Stop_announces_stopped()
    {
        using var folder = new TempDirectory("tps-seed-ot");
        var trackerEndPoint = OpenTracker.ReserveEndPoint();
        var announce = $"http://{trackerEndPoint}/announce";
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: 300_000, pieceLength: 32 * 1024, announce: announce);
        var hash = torrent.Info.Hash;
        await using var tracker = await OpenTracker.StartAsync([hash.Hex], trackerEndPoint);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent, o => o with { UseTrackers = true });

        await TrackerProbe.WaitAsync(announce, hash, seeder.EndPoint);
        Assert.Equal(1, await TrackerProbe.SeedersAsync(announce, hash));

        var result = await seeder.Torrent.StopAsync();

        // opentracker keeps a silent peer for about 30 minutes: only our stopped announce can take it off at once.
        Assert.Equal(TorrentState.Completed, result.State);
        await TrackerProbe.WaitAsync(announce, hash, seeder.EndPoint, listed: false, timeout: TimeSpan.FromSeconds(2));
        Assert.Equal(0, await TrackerProbe.SeedersAsync(announce, hash));
    }
}
