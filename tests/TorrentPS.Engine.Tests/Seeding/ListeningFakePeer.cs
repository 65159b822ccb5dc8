using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>
/// A fake peer that listens on 127.0.0.1 and answers every connection's handshake for one torrent with one peer id,
/// then only waits for the other side to hang up. Counts the connections it got.
/// </summary>
internal sealed class ListeningFakePeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly InfoHash _infoHash;
    private readonly PeerId _peerId;
    private readonly Task _accepting;
    private int _connections;

    public ListeningFakePeer(InfoHash infoHash, PeerId peerId)
    {
        _infoHash = infoHash;
        _peerId = peerId;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    public async Task WaitForConnectionsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Connections < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Connections} connections, not {count}, within {timeout}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await ScriptedPeer.ReadHandshakeAsync(stream, _stop.Token);
                await stream.WriteAsync(new HandshakeMessage(ReservedBits.Create(false, true, false), _infoHash, _peerId).ToArray(), _stop.Token);
                await ScriptedPeer.DrainAsync(stream, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // Hung up on, or the test is over.
            }
        }
    }
}
