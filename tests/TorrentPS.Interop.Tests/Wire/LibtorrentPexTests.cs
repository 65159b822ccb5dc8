using System.Net;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>
/// ut_pex with libtorrent 2.0.8: a libtorrent peer without data (in share mode, connected to a libtorrent seeder) tells
/// us of the seeder, and takes the ut_pex messages we encode (its peer log shows them).
/// </summary>
public sealed class LibtorrentPexTests(LibtorrentSeederFixture fixture) : IClassFixture<LibtorrentSeederFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_libtorrent_peer_without_data_relays_the_seeder_it_is_connected_to()
    {
        await using var relay = await LibtorrentRelay.StartAsync(fixture.Torrent, fixture.Seeder.EndPoint);
        var options = new HandshakeOptions
        {
            LocalAddress = Loopback.NextAddress(),
            FastExtension = true,
            LocalExtensionHandshake = ExtensionHandshake.CreateLocal(peerExchange: true),
        }.WithTimeout(TimeSpan.FromSeconds(10));
        await using var connection = await PeerConnection.ConnectAsync(relay.EndPoint, fixture.Torrent.Info.Hash, options);
        Assert.NotNull(connection.RemoteExtensionHandshake?.GetMessageId(ExtensionHandshake.UtPex));

        using var timeout = new CancellationTokenSource(Patience);
        UtPexMessage? pex = null;
        while (pex is null)
        {
            var message = await connection.ReadMessageAsync(timeout.Token);
            if (message.Type == PeerMessageType.Extended && message.ExtendedId == ExtensionHandshake.LocalUtPexId)
            {
                pex = UtPexMessage.Decode(message.Payload.ToArray());
            }
        }

        // Its first message is the full list (PEX_FULL), sent within a second or so of our extension handshake.
        var seeder = Assert.Single(pex.Added, p => p.EndPoint.Equals(fixture.Seeder.EndPoint));
        Assert.True(seeder.Flags.HasFlag(PexPeerFlags.Seed), $"flags {seeder.Flags}");
        Assert.Empty(pex.Dropped);
    }

    [Fact]
    public async Task Libtorrent_takes_the_ut_pex_message_we_encode()
    {
        await using var relay = await LibtorrentRelay.StartAsync(fixture.Torrent, fixture.Seeder.EndPoint);
        var options = new HandshakeOptions
        {
            LocalAddress = Loopback.NextAddress(),
            FastExtension = true,
            LocalExtensionHandshake = ExtensionHandshake.CreateLocal(peerExchange: true),
        }.WithTimeout(TimeSpan.FromSeconds(10));
        await using var connection = await PeerConnection.ConnectAsync(relay.EndPoint, fixture.Torrent.Info.Hash, options);
        var theirId = connection.RemoteExtensionHandshake!.GetMessageId(ExtensionHandshake.UtPex)!.Value;
        var ours = new UtPexMessage(
            [
                new PexPeer(new IPEndPoint(Loopback.NextAddress(), 6881), PexPeerFlags.Seed | PexPeerFlags.Reachable),
                new PexPeer(new IPEndPoint(Loopback.NextAddress(), 6882), PexPeerFlags.None),
                new PexPeer(IPEndPoint.Parse("[::1]:6883"), PexPeerFlags.None),
            ],
            [new IPEndPoint(Loopback.NextAddress(), 6884)]);

        await connection.SendExtendedAsync(theirId, ours.ToArray());

        // libtorrent's peer log counts IPv4 and IPv6 together.
        await relay.WaitForOutputAsync("<== PEX [ dropped: 1 added: 3 ]", Patience);
        Assert.DoesNotContain("invalid_pex_message", relay.Output, StringComparison.Ordinal);
    }
}
