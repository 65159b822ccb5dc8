using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Engine.Wire;
using static TorrentPS.Engine.Tests.Seeding.HostileDownloaderTests;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>Who a seeder talks to: the peers it is given (it dials them), and no more peers than its limits allow.</summary>
public sealed class SeederConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_seed_dials_the_peers_it_is_given()
    {
        var handshake = new TaskCompletionSource<HandshakeMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var leecher = new ScriptedPeer(async (stream, ct) =>
        {
            handshake.TrySetResult(await ScriptedPeer.ReadHandshakeAsync(stream, ct));
            await stream.WriteAsync(ScriptedPeer.Handshake(handshake.Task.Result.InfoHash), ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });

        await using var seeder = await LoopbackSeeder.StartAsync(configure: o => o with { Peers = [leecher.EndPoint] });

        var dialled = await handshake.Task.WaitAsync(Wait);
        Assert.Equal(seeder.Info.Hash, dialled.InfoHash);
        Assert.Equal(seeder.Torrent.PeerId, dialled.PeerId);
        await seeder.WaitForPeersAsync(1, Wait);
    }

    [Fact]
    public async Task A_seed_dials_peers_added_while_it_seeds()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var session = new TorrentPS.Engine.Session.TorrentSession();
        var leecherEndPoint = session.Listen(System.Net.IPAddress.Loopback, 0);

        // The downloader knows no peer: it only listens, and the seed dials it.
        var download = seeder.DownloadAsync(Wait, configure: o => o with { Peers = [] }, session: session);
        seeder.Torrent.AddPeers([leecherEndPoint]);

        var result = await download;
        Assert.Equal(seeder.Info.Length, result.Downloaded);
    }

    [Fact]
    public async Task A_dial_refused_as_a_second_connection_to_a_peer_is_tried_again_once_the_first_ends()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        var peerId = PeerId.Generate();
        await using var listening = new ListeningFakePeer(seeder.Info.Hash, peerId);
        var incoming = await FakeDownloader.ConnectAsync(seeder.EndPoint, seeder.Info.Hash, peerId: peerId);
        await seeder.WaitForPeersAsync(1, Wait);

        // The same peer, dialled: the seed drops its own dial, as both peers dialling each other at once can make it do.
        seeder.Torrent.AddPeers([listening.EndPoint]);
        await listening.WaitForConnectionsAsync(1, Wait);
        Assert.True(await seeder.Log.WaitForAsync("already connected to this peer"));
        await incoming.DisposeAsync();

        // Dialled again after the back-off (5 s), rather than never.
        await listening.WaitForConnectionsAsync(2, TimeSpan.FromSeconds(15));
        await seeder.WaitForPeersAsync(1, Wait);
    }

    [Fact]
    public async Task Incoming_peers_beyond_the_torrents_connection_limit_are_refused_and_a_freed_slot_is_reused()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(configure: o => o with { MaxConnections = 2 });
        await AssertLimitAsync(seeder, "the torrent's connection limit is reached");
    }

    [Fact]
    public async Task Incoming_peers_beyond_the_sessions_connection_limit_are_refused_and_a_freed_slot_is_reused()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(session: s => s.Limits.MaxConnections = 2);
        await AssertLimitAsync(seeder, "the session's connection limit is reached");
    }

    [Fact]
    public async Task The_sessions_connection_limit_counts_the_peers_of_all_its_torrents()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(session: s => s.Limits.MaxConnections = 2);
        var other = await seeder.SeedAnotherAsync();
        await using var first = await ConnectedAndUnchokedAsync(seeder);
        await using var second = await FakeDownloader.ConnectAsync(seeder.EndPoint, other.Hash);
        await second.InterestedAndUnchokedAsync(Wait);

        await using var third = await seeder.ConnectFakeAsync();

        Assert.True(await third.ClosedWithinAsync(Wait));
        Assert.Equal(2, seeder.Session.Limits.Connections);
        await AssertServedAsync(seeder, first, 0, 0);
    }

    /// <summary>Two peers in, the third refused after its handshake; the first two still served; one leaves and a newcomer gets its place.</summary>
    private static async Task AssertLimitAsync(LoopbackSeeder seeder, string reason)
    {
        await using var first = await ConnectedAndUnchokedAsync(seeder);
        var second = await ConnectedAndUnchokedAsync(seeder);

        await using (var third = await seeder.ConnectFakeAsync())
        {
            Assert.True(await third.ClosedWithinAsync(Wait));
        }

        Assert.True(await seeder.Log.WaitForAsync(reason), string.Join("\n", seeder.Log.Messages));
        await AssertServedAsync(seeder, first, 0, 0);
        await AssertServedAsync(seeder, second, 1, 0);

        await second.DisposeAsync();
        await seeder.WaitForPeersAsync(1, Wait);
        await using var newcomer = await ConnectedAndUnchokedAsync(seeder);
        await AssertServedAsync(seeder, newcomer, 2, 0);
        Assert.Equal(2, seeder.Session.Limits.Connections);
    }
}
