using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Metainfo;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// The session's DHT node and local discovery: started with the listener on its port, used by public torrents only
/// (never a private one, never with -NoDht), the DHT's nodes and id kept in the state folder, two sessions on this
/// host finding each other through local discovery (loopback, TTL 0), and a trackerless magnet refused at once only
/// when the DHT has nowhere to look.
/// </summary>
public sealed class SessionDiscoveryTests
{
    [Fact]
    public async Task The_DHT_runs_on_the_UDP_port_of_the_listen_port_number()
    {
        await using var session = await StartAsync(new SessionSettings { DhtBootstrapNodes = [] });

        var dht = Assert.IsType<TorrentPS.Engine.Dht.DhtStatus>(session.DhtStatus);

        Assert.EndsWith($":{session.ListenEndPoint!.Port}", dht.LocalEndPoint, StringComparison.Ordinal);
        Assert.True(session.GetStatus().DhtEnabled);
    }

    [Fact]
    public async Task Turning_the_DHT_on_or_off_applies_at_once_to_a_listening_session()
    {
        await using var session = await StartAsync(new SessionSettings { Dht = false });
        Assert.Null(session.DhtStatus);

        await session.ApplyAsync(session.Settings with { Dht = true, DhtBootstrapNodes = [] });
        Assert.NotNull(session.DhtStatus);
        Assert.EndsWith($":{session.ListenEndPoint!.Port}", session.DhtStatus!.LocalEndPoint, StringComparison.Ordinal);

        await session.ApplyAsync(session.Settings with { Dht = false });
        Assert.Null(session.DhtStatus);
    }

    [Fact]
    public async Task A_public_torrent_searches_the_DHT_and_is_announced_locally_but_a_private_one_never_is()
    {
        using var folder = HeldTorrents.Folder();
        await using var session = await StartAsync(new SessionSettings { DhtBootstrapNodes = [], LocalDiscovery = true, LocalDiscoveryPort = FreeUdpPort() });
        var (publicInfo, publicData) = Write(folder, "public.bin", isPrivate: false);
        var (privateInfo, privateData) = Write(folder, "private.bin", isPrivate: true);

        var open = session.Start(TransferRequest.Seed(publicInfo, publicData) with { SeedUntilStopped = true, UseTrackers = false });
        var closed = session.Start(TransferRequest.Seed(privateInfo, privateData) with { SeedUntilStopped = true, UseTrackers = false });
        await HeldTorrents.WaitForStateAsync(open, TorrentState.Seeding);
        await HeldTorrents.WaitForStateAsync(closed, TorrentState.Seeding);

        Assert.True(open.Run!.SearchesDht);
        Assert.True(open.Run!.AnnouncedLocally);
        Assert.False(closed.Run!.SearchesDht);
        Assert.False(closed.Run!.AnnouncedLocally);
    }

    [Fact]
    public async Task A_torrent_started_with_NoDht_does_not_search_the_DHT()
    {
        using var folder = HeldTorrents.Folder();
        await using var session = await StartAsync(new SessionSettings { DhtBootstrapNodes = [] });
        var (info, data) = Write(folder, "nodht.bin", isPrivate: false);

        var torrent = session.Start(TransferRequest.Seed(info, data) with { SeedUntilStopped = true, UseTrackers = false, UseDht = false });
        await HeldTorrents.WaitForStateAsync(torrent, TorrentState.Seeding);

        Assert.False(torrent.Run!.SearchesDht);
    }

    [Fact]
    public async Task A_trackerless_magnet_is_refused_at_once_when_the_DHT_is_off_or_has_nowhere_to_look_and_starts_when_it_has()
    {
        using var folder = HeldTorrents.Folder();
        var magnet = MagnetLink.Parse("magnet:?xt=urn:btih:" + new string('a', 40));

        await using (var off = await StartAsync(new SessionSettings { Dht = false }))
        {
            var error = Assert.Throws<TorrentPSException>(() => off.Start(TransferRequest.Download(magnet, folder.Path)));
            Assert.Equal("NowhereToAsk", error.ErrorId);
            Assert.Contains("runs no DHT", error.Message);
        }

        await using (var nowhere = await StartAsync(new SessionSettings { DhtBootstrapNodes = [] }))
        {
            Assert.Contains("knows no node", Assert.Throws<TorrentPSException>(() => nowhere.Start(TransferRequest.Download(magnet, folder.Path))).Message);
            Assert.Contains("-NoDht", Assert.Throws<TorrentPSException>(() => nowhere.Start(TransferRequest.Download(magnet, folder.Path) with { UseDht = false })).Message);
        }

        // A router to ask (nobody answers there: the fetch waits for peers instead of failing).
        await using var asking = await StartAsync(new SessionSettings { DhtBootstrapNodes = ["127.0.0.1:1"] });
        var fetching = asking.Start(TransferRequest.Download(magnet, folder.Path));
        Assert.Equal(TorrentState.FetchingMetadata, fetching.State);
        var run = fetching.Run!;
        Assert.True(SpinWait.SpinUntil(() => run.SearchesDht, TimeSpan.FromSeconds(10)), "the fetch searches the DHT");
    }

    [Fact]
    public async Task The_DHT_keeps_its_node_id_and_nodes_in_the_state_folder()
    {
        using var folder = HeldTorrents.Folder();
        string firstId;
        await using (var first = await StartAsync(new SessionSettings { DhtBootstrapNodes = [] }, folder.Path))
        {
            firstId = first.DhtStatus!.NodeId;
        }

        using (var saved = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder.Path, "dht.json"))))
        {
            Assert.Equal(firstId, saved.RootElement.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Array, saved.RootElement.GetProperty("nodes").ValueKind);
        }

        await using var second = await StartAsync(new SessionSettings { DhtBootstrapNodes = [] }, folder.Path);
        Assert.Equal(firstId, second.DhtStatus!.NodeId);
    }

    [Fact]
    public async Task Two_sessions_on_this_host_find_each_other_through_local_discovery_and_trade()
    {
        using var folder = HeldTorrents.Folder();
        var group = FreeUdpPort();
        var settings = new SessionSettings { Dht = false, LocalDiscovery = true, LocalDiscoveryPort = group };
        await using var seeds = await StartAsync(settings);
        await using var leech = await StartAsync(settings);
        var (info, data) = Write(folder, "local.bin", isPrivate: false);
        var seeding = seeds.Start(TransferRequest.Seed(info, data) with { SeedUntilStopped = true, UseTrackers = false });
        await HeldTorrents.WaitForStateAsync(seeding, TorrentState.Seeding);

        var download = leech.Start(TransferRequest.Download(info, folder.Sub("leech")) with { UseTrackers = false, NoProgressTimeout = TimeSpan.FromSeconds(30) });
        var result = await download.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(data, "local.bin")), await File.ReadAllBytesAsync(Path.Combine(folder.Path, "leech", "local.bin")));
        // Whichever heard the other first dialled it: the seed's or the download's peers came from local discovery.
        var seedFound = seeding.Status.PeersFound.Local;
        if (download.Status.PeersFound.Local == 0 && seedFound == 0)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var status in seeding.WatchStatusAsync(timeout.Token))
            {
                if ((seedFound = status.PeersFound.Local) > 0)
                {
                    break;
                }
            }
        }

        Assert.True(download.Status.PeersFound.Local + seedFound > 0, $"peers found: download {download.Status.PeersFound}; seed {seeding.Status.PeersFound}");
    }

    [Fact]
    public async Task A_stopped_download_takes_a_file_selection_for_its_next_run_and_a_seed_or_a_magnet_without_metadata_refuses_one()
    {
        using var folder = HeldTorrents.Folder();
        await using var session = await StartAsync(new SessionSettings { Dht = false });
        var info = TorrentInfo.Parse(TestTorrent.MultiFile("two", [("a.bin", TestTorrent.Content(20000, seed: 3)), ("b.bin", TestTorrent.Content(30000, seed: 4))], 16384).ToBytes());
        var download = session.Start(TransferRequest.Download(info, folder.Sub("download")) with { UseTrackers = false });
        await download.StopAsync();

        var selection = await download.SetFilePriorityAsync([1], Engine.Storage.FilePriority.Skip);

        Assert.Equal(Engine.Storage.FileSelection.FromPriorities([Engine.Storage.FilePriority.Normal, Engine.Storage.FilePriority.Skip]), selection);
        Assert.Equal(selection, download.Request.Files);
        Assert.Equal(selection, download.Selection);

        var (seedInfo, seedData) = Write(folder, "seeded-alone.bin", isPrivate: false);
        var seed = session.Start(TransferRequest.Seed(seedInfo, seedData) with { UseTrackers = false });
        await seed.StopAsync();
        Assert.Equal("SelectionNotSupported", (await Assert.ThrowsAsync<TorrentPSException>(() => seed.SetFilePriorityAsync([0], Engine.Storage.FilePriority.Skip))).ErrorId);

        var magnet = session.Start(TransferRequest.Download(MagnetLink.Parse("magnet:?xt=urn:btih:" + new string('c', 40)), folder.Sub("magnet")) with { Peers = [new IPEndPoint(IPAddress.Loopback, 1)], UseTrackers = false });
        await magnet.StopAsync();
        Assert.Equal("TorrentMetadataNotKnown", (await Assert.ThrowsAsync<TorrentPSException>(() => magnet.SetFilePriorityAsync([0], Engine.Storage.FilePriority.Skip))).ErrorId);
    }

    private static async Task<TorrentSession> StartAsync(SessionSettings settings, string? stateFolder = null)
    {
        var session = new TorrentSession();
        if (stateFolder is not null)
        {
            session.OpenState(stateFolder);
        }

        await session.ApplyAsync(settings with { Listen = ListenSettings.AnyPort(IPAddress.Loopback) });
        session.Listen();
        return session;
    }

    private static (TorrentInfo Info, string DataFolder) Write(HeldTorrents.TempFolder folder, string name, bool isPrivate)
    {
        var content = TestTorrent.Content(3 * 16384 + 77, seed: name.Length);
        var torrent = TestTorrent.SingleFile(name, content, 16384);
        if (isPrivate)
        {
            torrent.Info("private", TestTorrent.Int(1));
        }

        var data = folder.Sub("data-" + name);
        File.WriteAllBytes(Path.Combine(data, name), content);
        return (TorrentInfo.Parse(torrent.ToBytes()), data);
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
