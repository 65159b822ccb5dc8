using System.Net;
using System.Text;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>The accepting side: libtorrent dials our <see cref="PeerListener"/>.</summary>
public sealed class LibtorrentDialsOurListenerTests
{
    [Fact]
    public async Task Our_listener_accepts_libtorrent_answers_its_handshake_and_hands_the_connection_over()
    {
        using var folder = new TempDirectory("tps-wire-listen");
        var torrent = TestTorrent.Create(folder.Path);
        var handedOver = new TaskCompletionSource<PeerConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new HandshakeOptions { PieceCount = torrent.Info.PieceCount };
        await using var listener = PeerListener.Start(
            new IPEndPoint(Loopback.NextAddress(), 0),
            hash => hash == torrent.Info.Hash ? options : null,
            (connection, _) =>
            {
                handedOver.TrySetResult(connection);
                return Task.CompletedTask;
            });

        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, connectTo: listener.LocalEndPoint);
        await using var connection = await handedOver.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.False(connection.IsOutgoing);
        Assert.Equal(seeder.EndPoint.Address, connection.RemoteEndPoint.Address);
        Assert.StartsWith("-LT2080-", Encoding.Latin1.GetString(connection.RemoteHandshake.PeerId.AsSpan()));
        Assert.True(connection.ExtensionProtocol);
        Assert.NotNull(connection.RemoteExtensionHandshake);
        Assert.StartsWith("libtorrent/2.0.8", connection.RemoteExtensionHandshake.ClientVersion);
        Assert.Equal(torrent.Info.GetRawInfo().Length, connection.RemoteExtensionHandshake.MetadataSize);

        // The seed tells us what it has: a bitfield the codec checks against the piece count.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[]? bitfield = null; // a bitfield sent before the extension handshake is replayed by ReadMessageAsync
        while (bitfield is null)
        {
            var message = await connection.ReadMessageAsync(timeout.Token);
            if (message.Type == PeerMessageType.Bitfield)
            {
                bitfield = message.Payload.ToArray();
            }
        }

        Assert.Equal(torrent.Info.PieceCount, bitfield.Sum(b => System.Numerics.BitOperations.PopCount(b)));
    }
}
