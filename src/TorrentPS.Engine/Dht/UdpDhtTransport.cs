using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A DHT node's one UDP socket: bound to the end point it is given (port 0 for any), a receive loop that hands each
/// datagram to the node on the loop's own thread, and sends that never wait (a UDP send only queues the datagram).
/// Disposing closes the socket, which ends the loop at once.
/// </summary>
internal sealed class UdpDhtTransport : IDhtTransport
{
    // Windows reports an ICMP "port unreachable" for an earlier send as a reset of the next receive; this turns that off.
    private const int SioUdpConnReset = -1744830452;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    private UdpDhtTransport(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds a UDP socket to <paramref name="endPoint"/>.</summary>
    /// <exception cref="SocketException">The end point cannot be bound (in use, or not an address of this machine).</exception>
    public static UdpDhtTransport Bind(IPEndPoint endPoint, ILogger logger)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
            }

            socket.Bind(endPoint);
            return new UdpDhtTransport(socket, logger);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Takes over <paramref name="socket"/>, a UDP socket already bound (the session's, on its listen port's number).</summary>
    public static UdpDhtTransport Over(Socket socket, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
        }

        return new UdpDhtTransport(socket, logger);
    }

    public Task Start(DatagramHandler onDatagram) => Task.Run(() => ReceiveAsync(onDatagram));

    public bool Send(ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            return true;
        }
        catch (SocketException ex)
        {
            _logger.LogTrace("DHT: a datagram to {EndPoint} was not sent: {Reason}", to, ex.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
        }
    }

    private async Task ReceiveAsync(DatagramHandler onDatagram)
    {
        var buffer = new byte[64 * 1024];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        CancellationToken stop;
        try
        {
            stop = _stop.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                _logger.LogTrace("DHT: a receive failed: {Reason}", ex.SocketErrorCode);
                continue;
            }

            var from = (IPEndPoint)received.RemoteEndPoint;
            if (from.Address.IsIPv4MappedToIPv6)
            {
                from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
            }

            try
            {
                onDatagram(buffer.AsMemory(0, received.ReceivedBytes), from);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The node handles what it can; a fault in one datagram must not end the loop.
                _logger.LogWarning(ex, "DHT: a datagram from {EndPoint} could not be handled", from);
            }
        }
    }
}
