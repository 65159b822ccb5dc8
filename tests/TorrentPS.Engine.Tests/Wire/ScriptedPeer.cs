using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>A hostile or well-behaved fake peer on loopback that plays a script against the first connection.</summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _run;
    private readonly CancellationTokenSource _stop = new();

    public ScriptedPeer(Func<NetworkStream, CancellationToken, Task> script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _run = Task.Run(async () =>
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            await using var stream = client.GetStream();
            try
            {
                await script(stream, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client hung up on us: expected for hostile scripts.
            }
        });
    }

    public IPEndPoint EndPoint { get; }

    public static byte[] Handshake(InfoHash infoHash, string peerId = "-qB4520-abcdefghijkl", ReservedBits? reserved = null)
        => new HandshakeMessage(reserved ?? ReservedBits.ExtensionProtocolOnly, infoHash, new PeerId(System.Text.Encoding.ASCII.GetBytes(peerId))).ToArray();

    /// <summary>Reads the client's 68-byte handshake.</summary>
    public static async Task<HandshakeMessage> ReadHandshakeAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[HandshakeMessage.Length];
        await stream.ReadExactlyAsync(buffer, ct);
        return HandshakeMessage.Read(buffer);
    }

    /// <summary>Waits until the client hangs up (or the test ends).</summary>
    public static async Task DrainAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, ct) > 0)
        {
        }
    }

    public static InfoHash RandomInfoHash() => new(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Take(20).ToArray());

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }
}
