using System.Net;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Seeding;

/// <summary>TorrentPS with TorrentPS: sessions in one process, each on its own 127.0.0.x, over real sockets and files.</summary>
public sealed class TorrentPSSwarmTests
{
    private static readonly TimeSpan Finish = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Several_downloaders_at_once_each_get_every_byte_from_one_seeder()
    {
        using var folder = new TempDirectory("tps-seed-many");
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: (4 * 1024 * 1024) + 999, pieceLength: 128 * 1024);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent);
        await using var aria2 = await Aria2Downloader.StartAsync(torrent.Info);
        await using var libtorrent = await LibtorrentDownloader.StartAsync(torrent.Info, seeder.EndPoint);
        seeder.Torrent.AddPeers([aria2.EndPoint]);
        var ours = Enumerable.Range(0, 2).Select(i => DownloadAsync(torrent, folder.Combine($"ours{i}"), seeder.EndPoint)).ToArray();

        await Task.WhenAll([aria2.WaitFinishedAsync(Finish), libtorrent.WaitFinishedAsync(Finish), .. ours]);

        await SameBytes.AssertAsync(torrent.DataPath, aria2.DownloadPath);
        await SameBytes.AssertAsync(torrent.DataPath, libtorrent.DownloadPath);
        foreach (var i in new[] { 0, 1 })
        {
            await SameBytes.AssertAsync(torrent.DataPath, folder.Combine($"ours{i}", "seeded.bin"));
        }

        var result = await seeder.Torrent.StopAsync();
        Assert.True(result.Uploaded >= 4 * torrent.Info.Length, $"uploaded {result.Uploaded}, less than four copies");
    }

    [Fact]
    public async Task A_TorrentPS_downloader_gets_every_byte_from_a_TorrentPS_seeder_and_seeds_on_until_its_ratio()
    {
        using var folder = new TempDirectory("tps-seed-tps");
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: (2 * 1024 * 1024) + 5, pieceLength: 64 * 1024);
        await using var seeder = await TorrentPSSeeder.StartAsync(torrent);

        // The first downloader seeds on after completing, until it has uploaded one copy: to the second one.
        var first = folder.Combine("first");
        await using var firstSession = new TorrentSession();
        var firstEndPoint = firstSession.Listen(Loopback.NextAddress(), 0);
        var firstRun = firstSession.Start(torrent.Info, Options(first, firstEndPoint.Address, seeder.EndPoint) with { SeedRatio = 1.0 });
        await TorrentPSSeeder.WaitForStateAsync(firstRun, TorrentState.Seeding, Finish);
        await SameBytes.AssertAsync(torrent.DataPath, Path.Combine(first, "seeded.bin"));
        await seeder.Torrent.StopAsync();

        await DownloadAsync(torrent, folder.Combine("second"), firstEndPoint);

        var firstResult = await firstRun.Completion.WaitAsync(Finish);
        Assert.Equal(TorrentState.Completed, firstResult.State);
        Assert.Equal(torrent.Info.Length, firstResult.Downloaded);
        Assert.True(firstResult.Uploaded >= torrent.Info.Length);
        await SameBytes.AssertAsync(torrent.DataPath, folder.Combine("second", "seeded.bin"));
    }

    /// <summary>
    /// Four peers each start with a different quarter of the data on disk (the rest zeros) and know each other: each
    /// checks what it has, serves it, downloads the rest (<see cref="TorrentOptions.InFolder"/> seeding until stopped),
    /// and all four end with every byte.
    /// </summary>
    [Fact]
    public async Task A_swarm_of_four_TorrentPS_peers_each_starting_with_a_different_quarter_all_finish()
    {
        using var folder = new TempDirectory("tps-seed-swarm");
        var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: (3 * 1024 * 1024) + 4097, pieceLength: 64 * 1024);

        var results = await SwarmAsync(folder, torrent, 4);

        foreach (var result in results)
        {
            // Each had a quarter and fetched the rest; each served some of its own.
            Assert.InRange(result.Downloaded, torrent.Info.Length / 2, torrent.Info.Length);
            Assert.True(result.Uploaded > 0, $"{result.Destination} uploaded nothing");
        }
    }

    /// <summary>
    /// Two peers with half the data each dial each other at the same moment: each may keep a different one of the two
    /// connections and drop the other, leaving none; they must find each other again. Several rounds, as the race is rare.
    /// </summary>
    [Fact]
    public async Task Two_TorrentPS_peers_dialling_each_other_at_once_both_finish()
    {
        for (var round = 0; round < 6; round++)
        {
            using var folder = new TempDirectory("tps-seed-pair");
            var torrent = TestTorrent.Create(folder.Path, "seeded.bin", length: 1024 * 1024, pieceLength: 64 * 1024);
            var results = await SwarmAsync(folder, torrent, 2);
            Assert.All(results, r => Assert.Equal(torrent.Info.Length / 2, r.Uploaded));
        }
    }

    /// <summary>
    /// <paramref name="count"/> TorrentPS peers, each with a different share of <paramref name="torrent"/>'s pieces on
    /// disk and every other peer's address, seed until stopped: all must reach Seeding with every byte; they are then
    /// stopped (Completed).
    /// </summary>
    private static async Task<DownloadResult[]> SwarmAsync(TempDirectory folder, TestTorrent torrent, int count)
    {
        var content = await File.ReadAllBytesAsync(torrent.DataPath);
        var pieces = torrent.Info.PieceCount;
        var sessions = new List<TorrentSession>();
        try
        {
            var endPoints = new List<IPEndPoint>();
            for (var peer = 0; peer < count; peer++)
            {
                var session = new TorrentSession();
                sessions.Add(session);
                endPoints.Add(session.Listen(Loopback.NextAddress(), 0));
                var partial = content.ToArray();
                for (var piece = 0; piece < pieces; piece++)
                {
                    if (piece * count / pieces != peer)
                    {
                        partial.AsSpan((int)(piece * torrent.Info.PieceLength), (int)torrent.Info.GetPieceLength(piece)).Clear();
                    }
                }

                Directory.CreateDirectory(folder.Combine($"peer{peer}"));
                await File.WriteAllBytesAsync(folder.Combine($"peer{peer}", "seeded.bin"), partial);
            }

            var running = sessions.Select((session, peer) => session.Start(
                torrent.Info,
                Options(folder.Combine($"peer{peer}"), endPoints[peer].Address, [.. endPoints.Where((_, other) => other != peer)]) with { SeedUntilStopped = true })).ToArray();
            foreach (var run in running)
            {
                await TorrentPSSeeder.WaitForStateAsync(run, TorrentState.Seeding, Finish);
            }

            for (var peer = 0; peer < count; peer++)
            {
                await SameBytes.AssertAsync(torrent.DataPath, folder.Combine($"peer{peer}", "seeded.bin"));
            }

            var results = await Task.WhenAll(running.Select(r => r.StopAsync()));
            Assert.All(results, r => Assert.Equal(TorrentState.Completed, r.State));
            return results;
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    private static TorrentOptions Options(string destination, IPAddress address, params IPEndPoint[] peers) => TorrentOptions.InFolder(destination) with
    {
        Peers = peers,
        UseTrackers = false,
        LocalAddress = address,
        NoProgressTimeout = Finish,
        StopTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>A TorrentPS download in a session of its own, which must end Completed.</summary>
    private static async Task DownloadAsync(TestTorrent torrent, string destination, IPEndPoint seeder)
    {
        await using var session = new TorrentSession();
        var result = await session.Start(torrent.Info, Options(destination, Loopback.NextAddress(), seeder)).Completion.WaitAsync(Finish);
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(torrent.Info.Length, result.Downloaded);
    }
}
