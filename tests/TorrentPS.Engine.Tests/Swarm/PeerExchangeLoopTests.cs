using System.Net;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>Peer exchange in the loop, with simulated peers: what we offer, what we take in, and never for private torrents.</summary>
public sealed class PeerExchangeLoopTests
{
    private static IncomingMessage Handshake(bool pex)
    {
        var extensions = new Dictionary<string, byte> { [ExtensionHandshake.UtMetadata] = 3 };
        if (pex)
        {
            extensions[ExtensionHandshake.UtPex] = 7;
        }

        var payload = new ExtensionHandshake(extensions, "sim", 6881, 250, null, null).ToArray();
        return new IncomingMessage(PeerMessageType.Extended, Length: payload.Length, Payload: payload, ExtendedId: 0);
    }

    private static IncomingMessage Pex(params IPEndPoint[] added)
    {
        var body = new UtPexMessage(added.Select(e => new PexPeer(e, PexPeerFlags.Seed)).ToArray(), []).ToArray();
        return new IncomingMessage(PeerMessageType.Extended, Length: body.Length, Payload: body, ExtendedId: ExtensionHandshake.LocalUtPexId);
    }

    [Fact]
    public async Task Peers_a_peer_names_through_ut_pex_join_the_roster()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(configure: o => o with { MaxConnections = 1 });
        var peer = await swarm.ConnectAsync();
        var known = swarm.Torrent.Status.PeersKnown;

        peer.Say(Handshake(pex: true), Pex(new IPEndPoint(IPAddress.Parse("127.0.8.2"), 7001), new IPEndPoint(IPAddress.Parse("127.0.8.3"), 7002)));
        await swarm.AdvanceAsync(TimeSpan.FromMilliseconds(500));

        Assert.Equal(known + 2, swarm.Torrent.Status.PeersKnown);
    }

    [Fact]
    public async Task Each_peer_that_takes_ut_pex_hears_of_the_others_in_one_message_and_a_flood_of_them_gets_it_dropped()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var first = await swarm.ConnectAsync();
        var second = await swarm.ConnectAsync();
        first.Say(Handshake(pex: true));
        second.Say(Handshake(pex: false));
        await swarm.AdvanceAsync(TimeSpan.FromMilliseconds(500));

        var offered = Assert.Single(first.Sent, m => m.Type == PeerMessageType.Extended && m.ExtendedId == 7);
        var message = UtPexMessage.Decode(offered.Payload!);
        Assert.Contains(message.Added, p => p.EndPoint.Equals(second.EndPoint));
        Assert.DoesNotContain(second.Sent, m => m.Type == PeerMessageType.Extended);

        for (var i = 0; i < 10; i++)
        {
            first.Say(Pex(new IPEndPoint(IPAddress.Parse("127.0.8.9"), 7100 + i)));
        }

        await swarm.SettleAsync();
        Assert.True(first.IsClosed);
    }

    [Fact]
    public async Task A_private_torrent_offers_no_ut_pex_and_takes_none()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(isPrivate: true);
        var peer = await swarm.ConnectAsync();
        var known = swarm.Torrent.Status.PeersKnown;

        peer.Say(Handshake(pex: true), Pex(new IPEndPoint(IPAddress.Parse("127.0.8.4"), 7003)));
        await swarm.AdvanceAsync(TimeSpan.FromMilliseconds(500));

        Assert.Null(swarm.Torrent.IncomingHandshakeOptions()!.LocalExtensionHandshake!.GetMessageId(ExtensionHandshake.UtPex));
        Assert.Equal(known, swarm.Torrent.Status.PeersKnown);
        Assert.DoesNotContain(peer.Sent, m => m.Type == PeerMessageType.Extended && m.ExtendedId == 7);
        Assert.False(peer.IsClosed);
    }
}
