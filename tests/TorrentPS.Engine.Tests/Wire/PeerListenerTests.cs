using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

public sealed class PeerListenerTests
{
    [Fact]
    public async Task Our_handshaker_and_our_listener_exchange_handshakes_and_extension_handshakes()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var serverId = PeerId.Generate();
        var handedOver = new TaskCompletionSource<PeerConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverOptions = new HandshakeOptions { PeerId = serverId, LocalExtensionHandshake = ExtensionHandshake.CreateLocal(metadataSize: 1234) };
        await using var listener = PeerListener.Start(
            new IPEndPoint(IPAddress.Loopback, 0),
            hash => hash == infoHash ? serverOptions : null,
            (connection, _) =>
            {
                handedOver.SetResult(connection);
                return Task.CompletedTask;
            });

        var peer = new TorrentPeer(IPAddress.Loopback, listener.LocalEndPoint.Port, infoHash, PeerSource.Manual);
        var result = await new PeerHandshaker().HandshakeAsync(peer, new HandshakeOptions().WithTimeout(TimeSpan.FromSeconds(5)));
        Assert.Equal(serverId, result.Id);
        Assert.StartsWith("TorrentPS ", result.Client);
        Assert.True(result.SupportsExtensionProtocol);
        Assert.False(result.SupportsDht);
        Assert.Equal(1234, result.MetadataSize);
        Assert.Equal(ExtensionHandshake.LocalUtMetadataId, result.MetadataExtensionId);
        Assert.StartsWith("TorrentPS ", result.ClientVersion);
        Assert.Null(result.YourIp); // the server gave its own extension handshake, without yourip

        await using var server = await handedOver.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(server.IsOutgoing);
        Assert.StartsWith(PeerId.ClientPrefix, System.Text.Encoding.ASCII.GetString(server.RemoteHandshake.PeerId.AsSpan()));
        Assert.NotNull(server.RemoteExtensionHandshake);
        Assert.Equal(1, listener.AcceptedCount);
    }

    [Fact]
    public async Task A_handed_over_connection_carries_messages_both_ways()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var received = new TaskCompletionSource<(PeerMessageType, int, int, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new HandshakeOptions { PieceCount = 4, FastExtension = true };
        await using var listener = PeerListener.Start(
            new IPEndPoint(IPAddress.Loopback, 0),
            hash => hash == infoHash ? options : null,
            async (connection, ct) =>
            {
                await using (connection)
                {
                    var message = await connection.ReadMessageAsync(ct);
                    received.SetResult((message.Type, message.Index, message.Begin, message.Length));
                    await connection.SendPieceAsync(message.Index, message.Begin, new byte[message.Length], ct);
                }
            });

        await using var client = await PeerConnection.ConnectAsync(listener.LocalEndPoint, infoHash, options);
        Assert.True(client.FastExtension);
        await client.SendRequestAsync(3, 0, 16384);
        Assert.Equal((PeerMessageType.Request, 3, 0, 16384), await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        var piece = await client.ReadMessageAsync();
        Assert.Equal((PeerMessageType.Piece, 3, 16384), (piece.Type, piece.Index, piece.Payload.Length));
    }

    [Fact]
    public async Task A_peer_asking_for_a_torrent_we_do_not_serve_is_dropped_with_a_reason()
    {
        var log = new TestLoggerFactory();
        var handled = 0;
        await using var listener = PeerListener.Start(
            new IPEndPoint(IPAddress.Loopback, 0),
            _ => null,
            (_, _) =>
            {
                Interlocked.Increment(ref handled);
                return Task.CompletedTask;
            },
            loggerFactory: log);

        var unknown = ScriptedPeer.RandomInfoHash();
        // The listener hangs up: the client sees the connection closed or reset.
        var ex = await Assert.ThrowsAsync<PeerUnreachableException>(() => PeerConnection.ConnectAsync(listener.LocalEndPoint, unknown, new HandshakeOptions().WithTimeout(TimeSpan.FromSeconds(5))));
        Assert.Equal(listener.LocalEndPoint, ex.EndPoint);
        Assert.True(await log.WaitForAsync("not served here"), string.Join("\n", log.Messages));
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task Independent_handshakes_without_a_peer_id_each_introduce_themselves_with_a_fresh_one()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var seen = new System.Collections.Concurrent.ConcurrentBag<PeerId>();
        await using var listener = PeerListener.Start(
            new IPEndPoint(IPAddress.Loopback, 0),
            hash => hash == infoHash ? HandshakeOptions.Default : null,
            (connection, _) =>
            {
                seen.Add(connection.RemoteHandshake.PeerId);
                return connection.DisposeAsync().AsTask();
            });
        var peer = new TorrentPeer(IPAddress.Loopback, listener.LocalEndPoint.Port, infoHash, PeerSource.Manual);
        var handshaker = new PeerHandshaker();
        var results = await Task.WhenAll(handshaker.HandshakeAsync(peer), handshaker.HandshakeAsync(peer));
        Assert.Equal(2, results.Length);
        Assert.True(SpinWait.SpinUntil(() => seen.Count == 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(2, seen.Distinct().Count());
    }

    [Fact]
    public async Task Handshaking_with_many_peers_reports_each_outcome_and_goes_on_past_failures()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var listener = PeerListener.Start(new IPEndPoint(IPAddress.Loopback, 0), hash => hash == infoHash ? HandshakeOptions.Default : null, (c, _) => c.DisposeAsync().AsTask());
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var peers = new[]
        {
            new TorrentPeer(IPAddress.Loopback, listener.LocalEndPoint.Port, infoHash, PeerSource.Manual),
            new TorrentPeer(IPAddress.Loopback, closedPort, infoHash, PeerSource.Manual),
            new TorrentPeer(IPAddress.Loopback, listener.LocalEndPoint.Port, infoHash, PeerSource.Manual),
        };

        var outcomes = new List<PeerHandshakeOutcome>();
        await foreach (var outcome in new PeerHandshaker().HandshakeManyAsync(peers, new HandshakeOptions().WithTimeout(TimeSpan.FromSeconds(5)), throttleLimit: 2))
        {
            outcomes.Add(outcome);
        }

        Assert.Equal(3, outcomes.Count);
        Assert.Equal(2, outcomes.Count(o => o.Succeeded));
        var failed = Assert.Single(outcomes, o => !o.Succeeded);
        Assert.Equal(closedPort, failed.Peer.Port);
        Assert.IsType<PeerUnreachableException>(failed.Error);
    }

    [Fact]
    public async Task An_incoming_peer_sending_garbage_is_dropped_with_a_reason()
    {
        var log = new TestLoggerFactory();
        var handled = 0;
        await using var listener = PeerListener.Start(new IPEndPoint(IPAddress.Loopback, 0), _ => HandshakeOptions.Default, (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        }, loggerFactory: log);
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(listener.LocalEndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: peer\r\nAccept: */*\r\nUser-Agent: not-bittorrent\r\n\r\n"u8.ToArray());
        Assert.True(await log.WaitForAsync("not a BitTorrent handshake"), string.Join("\n", log.Messages));
        Assert.True(await IsClosedAsync(stream));
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task An_incoming_peer_that_never_sends_its_handshake_is_dropped_after_the_timeout()
    {
        var log = new TestLoggerFactory();
        await using var listener = PeerListener.Start(new IPEndPoint(IPAddress.Loopback, 0), _ => HandshakeOptions.Default, (_, _) => Task.CompletedTask, loggerFactory: log, handshakeTimeout: TimeSpan.FromMilliseconds(300));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(listener.LocalEndPoint);
        await client.GetStream().WriteAsync("\u0013BitTorrent"u8.ToArray());
        Assert.True(await log.WaitForAsync("did not arrive"), string.Join("\n", log.Messages));
        Assert.True(await IsClosedAsync(client.GetStream()));
    }

    /// <summary>The listener hung up: a read ends (0 bytes) or fails (reset, when our bytes were left unread).</summary>
    private static async Task<bool> IsClosedAsync(System.Net.Sockets.NetworkStream stream)
    {
        try
        {
            return await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(5)) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
