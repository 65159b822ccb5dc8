using System.Diagnostics;
using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TorrentPS.Interop.Tests.Dht;

/// <summary>
/// Torrents with no tracker at all, among libtorrent 2.0.8 DHT nodes on loopback: a session downloads a trackerless
/// magnet link from a libtorrent seeder it finds through its DHT node alone, and a libtorrent downloader finds a
/// session's seed through the DHT alone. The session's bootstrap node is named; no default router is ever resolved.
/// </summary>
public sealed class TrackerlessSwarmTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly DhtSwarm _swarm = new("tps-dht-swarm", Patience);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _swarm.DisposeAsync();

    [Fact]
    public async Task A_trackerless_magnet_downloads_from_a_libtorrent_seeder_found_through_the_DHT()
    {
        var torrent = TestTorrent.Create(_swarm.Folder.Combine("seed"), "dht-magnet.bin", length: (2 * 1024 * 1024) + 333, pieceLength: 64 * 1024);
        var nodes = await _swarm.NetworkAsync(2);
        var seeder = await _swarm.StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [nodes[0].EndPoint], Seed = torrent });
        await LibtorrentDhtNode.WaitForAnyAsync(nodes, n => n.AnnouncesReceived(torrent.Info.Hash).Count > 0, "receive the seeder's announce", Patience);
        var session = await StartSessionAsync(nodes[1].EndPoint);
        var destination = _swarm.Folder.Combine("download");

        var clock = Stopwatch.StartNew();
        var running = session.Start(TransferRequest.Download(MagnetLink.Parse($"magnet:?xt=urn:btih:{torrent.Info.InfoHash}"), destination));
        var firstPeer = await FirstPeerAsync(running);
        var result = await running.WaitAsync().WaitAsync(Patience);

        output.WriteLine($"start to first peer {firstPeer.TotalMilliseconds:0} ms, complete in {clock.Elapsed.TotalSeconds:0.00} s; DHT: {session.DhtStatus}");
        Assert.Equal(TorrentState.Completed, result.State);
        await SameBytes.AssertAsync(torrent.DataPath, Path.Combine(destination, "dht-magnet.bin"));
        Assert.True(running.Status.PeersFound.Dht > 0, $"peers found: {running.Status.PeersFound}");
        Assert.True(seeder.EndPoint.Port > 0);
    }

    [Fact]
    public async Task A_libtorrent_downloader_finds_a_TorrentPS_seed_through_the_DHT_alone()
    {
        var torrent = TestTorrent.Create(_swarm.Folder.Combine("seed"), "dht-seed.bin", length: (2 * 1024 * 1024) + 777, pieceLength: 64 * 1024);
        var nodes = await _swarm.NetworkAsync(2);
        var session = await StartSessionAsync(nodes[0].EndPoint);
        var seeding = session.Start(TransferRequest.Seed(torrent.Info, torrent.DataDirectory) with { SeedUntilStopped = true });
        var ours = session.ListenEndPoint!;
        // Our announce reached a libtorrent node: it stored our listen end point for the torrent.
        await LibtorrentDhtNode.WaitForAnyAsync(nodes, n => n.AnnouncesReceived(torrent.Info.Hash).Any(e => e.Port == ours.Port), $"store our announce of port {ours.Port}", Patience);

        var folder = _swarm.Folder.Combine("libtorrent");
        Directory.CreateDirectory(folder);
        var downloader = await _swarm.StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [nodes[1].EndPoint], Download = torrent.Info.Hash, DownloadFolder = folder });
        await downloader.WaitForOutputAsync("FINISHED", Patience);

        await SameBytes.AssertAsync(torrent.DataPath, Path.Combine(folder, "dht-seed.bin"));
        // The data came from us (the only peer that has it): the seed's status says so once it publishes the upload. The
        // snapshot the feed gives is the one to judge (the handle's Status property takes it in a moment later).
        using var timeout = new CancellationTokenSource(Patience);
        long uploaded = 0;
        await foreach (var status in seeding.WatchStatusAsync(timeout.Token))
        {
            uploaded = status.Uploaded;
            if (uploaded >= torrent.Info.Length)
            {
                break;
            }
        }

        Assert.True(uploaded >= torrent.Info.Length, $"uploaded {uploaded} of {torrent.Info.Length}");
    }

    /// <summary>A session listening on its own loopback address, its DHT bootstrapping from <paramref name="router"/> only.</summary>
    private async Task<TorrentSession> StartSessionAsync(IPEndPoint router)
    {
        var session = new TorrentSession();
        _swarm.Track(session);
        await session.ApplyAsync(new SessionSettings
        {
            Listen = new ListenSettings { Address = Loopback.NextAddress(), Port = 0 },
            DhtBootstrapNodes = [router.ToString()],
        });
        session.Listen();
        Assert.NotNull(session.DhtStatus);
        return session;
    }

    /// <summary>How long until the torrent knew its first peer (its status is sampled as it changes).</summary>
    private static async Task<TimeSpan> FirstPeerAsync(Torrent torrent)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var status in torrent.WatchStatusAsync(timeout.Token))
        {
            if (status.PeersFound.Dht > 0)
            {
                return clock.Elapsed;
            }
        }

        throw new TimeoutException($"{torrent.Name} knew no peer: {torrent.Status}");
    }
}
