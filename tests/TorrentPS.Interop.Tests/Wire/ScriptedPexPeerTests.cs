using System.Net;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>
/// Our ut_pex codec and <see cref="PeerExchange"/> against a peer that speaks ut_pex by BEP 11 (the scripted peer, with
/// its own bencoding and compact-address code): each side reads what the other writes.
/// </summary>
public sealed class ScriptedPexPeerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly InfoHash Torrent = new(Enumerable.Range(100, 20).Select(i => (byte)i).ToArray());

    private static HandshakeOptions Options => new HandshakeOptions
    {
        LocalAddress = Loopback.NextAddress(),
        FastExtension = true,
        LocalExtensionHandshake = ExtensionHandshake.CreateLocal(listenPort: 6881, peerExchange: true),
    }.WithTimeout(TimeSpan.FromSeconds(10));

    /// <summary>Reads messages until the peer's ut_pex message (sent to our id) arrives; returns its body.</summary>
    private static async Task<byte[]> ReadPexAsync(PeerConnection connection)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var message = await connection.ReadMessageAsync(timeout.Token);
            if (message.Type == PeerMessageType.Extended && message.ExtendedId == ExtensionHandshake.LocalUtPexId)
            {
                return message.Payload.ToArray();
            }
        }
    }

    [Fact]
    public async Task Our_codec_reads_the_ut_pex_message_the_scripted_peer_sends()
    {
        PexPeer[] added =
        [
            new(new IPEndPoint(Loopback.NextAddress(), 6881), PexPeerFlags.Seed | PexPeerFlags.Reachable),
            new(new IPEndPoint(Loopback.NextAddress(), 51413), PexPeerFlags.PrefersEncryption),
            new(IPEndPoint.Parse("[::1]:6882"), PexPeerFlags.SupportsUtp),
        ];
        IPEndPoint[] dropped = [new(Loopback.NextAddress(), 7000), IPEndPoint.Parse("[::1]:7001")];
        await using var peer = await ScriptedPexPeer.StartAsync(Torrent, added, dropped);
        await using var connection = await PeerConnection.ConnectAsync(peer.EndPoint, Torrent, Options);

        Assert.Equal(ScriptedPexPeer.UtPexId, connection.RemoteExtensionHandshake?.GetMessageId(ExtensionHandshake.UtPex));
        var body = await ReadPexAsync(connection);
        var message = UtPexMessage.Decode(body);
        await peer.WaitForOutputAsync("SENT_PEX", Patience); // printed after the send: it may trail the message

        Assert.Equal(added, message.Added);
        Assert.Equal(dropped, message.Dropped);
        Assert.Equal(Assert.Single(peer.Sent), body);
    }

    [Fact]
    public async Task The_scripted_peer_reads_the_ut_pex_message_we_encode()
    {
        await using var peer = await ScriptedPexPeer.StartAsync(Torrent, [new PexPeer(new IPEndPoint(Loopback.NextAddress(), 6881), PexPeerFlags.Seed)]);
        await using var connection = await PeerConnection.ConnectAsync(peer.EndPoint, Torrent, Options);
        var (a, b, c) = (Loopback.NextAddress(), Loopback.NextAddress(), Loopback.NextAddress());
        var ours = new UtPexMessage(
            [
                new PexPeer(new IPEndPoint(a, 6881), PexPeerFlags.Seed | PexPeerFlags.Reachable),
                new PexPeer(IPEndPoint.Parse("[::1]:6883"), PexPeerFlags.SupportsHolepunch),
                new PexPeer(new IPEndPoint(b, 1), PexPeerFlags.None),
            ],
            [new IPEndPoint(c, 65535)]);

        await connection.SendExtendedAsync(connection.RemoteExtensionHandshake!.GetMessageId(ExtensionHandshake.UtPex)!.Value, ours.ToArray());
        await peer.WaitForOutputAsync("PEX_RECEIVED", Patience);

        var read = Assert.Single(peer.Received);
        Assert.Equal([$"{a}:6881", $"{b}:1"], read.Added);
        Assert.Equal([0x12, 0x00], read.AddedFlags);
        Assert.Equal(["[::1]:6883"], read.Added6);
        Assert.Equal([0x08], read.Added6Flags);
        Assert.Equal([$"{c}:65535"], read.Dropped);
        Assert.Empty(read.Dropped6);
        Assert.Equal(ours.ToArray(), read.Body);
        Assert.DoesNotContain("PEX_INVALID", peer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_exchange_takes_the_seeder_the_scripted_peer_lists_and_what_it_sends_back_reads_there()
    {
        var seeder = new IPEndPoint(Loopback.NextAddress(), 6881);
        await using var peer = await ScriptedPexPeer.StartAsync(Torrent, [new PexPeer(seeder, PexPeerFlags.Seed | PexPeerFlags.Reachable)]);
        await using var connection = await PeerConnection.ConnectAsync(peer.EndPoint, Torrent, Options);
        var exchange = new PeerExchange(TimeProvider.System);
        exchange.Connected(1, connection.RemoteEndPoint, outgoing: true);
        exchange.ExtensionHandshakeReceived(1, connection.RemoteExtensionHandshake!);
        var other = new IPEndPoint(Loopback.NextAddress(), 6999);
        exchange.Connected(2, other, outgoing: true);

        var candidates = new List<PexPeer>();
        var intake = exchange.Receive(1, await ReadPexAsync(connection), candidates);
        var due = new List<PexOutgoing>();
        exchange.TakeDue(due);
        var toScripted = Assert.Single(due);
        await connection.SendExtendedAsync(toScripted.ExtendedId, toScripted.Body);
        await peer.WaitForOutputAsync("PEX_RECEIVED", Patience);

        Assert.Equal((PexVerdict.Accepted, 1), (intake.Verdict, intake.Taken));
        Assert.Equal([new PexPeer(seeder, PexPeerFlags.Seed | PexPeerFlags.Reachable)], candidates);
        Assert.Equal((1, ScriptedPexPeer.UtPexId), (toScripted.PeerId, toScripted.ExtendedId));
        var read = Assert.Single(peer.Received);
        Assert.Equal([other.ToString()], read.Added);
        Assert.Equal([(int)PexPeerFlags.Reachable], read.AddedFlags);
    }
}
