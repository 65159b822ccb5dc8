using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The session's bind policy: a port free for TCP (the peer listener) and UDP (kept bound for the DHT, which will share
/// the number) on the asked address. The asked port first, then the next ones (<see cref="ListenSettings.PortsTried"/>);
/// the default port then falls back to any free port, an explicit one fails with <c>ListenFailed</c>. Port 0 takes any
/// port the system picks that is free for both.
/// </summary>
internal sealed class ListenBinding : IAsyncDisposable
{
    private const int AnyPortAttempts = 20;

    private Socket? _udp;

    private ListenBinding(PeerListener listener, Socket udp)
    {
        Listener = listener;
        _udp = udp;
    }

    public PeerListener Listener { get; }

    /// <summary>The TCP end point bound (the port announced to trackers).</summary>
    public IPEndPoint EndPoint => Listener.LocalEndPoint;

    /// <summary>
    /// Binds per <paramref name="settings"/>. <paramref name="startListener"/> binds and starts the TCP listener on an end
    /// point (it throws <c>ListenFailed</c> wrapping the socket error when the port is taken).
    /// </summary>
    /// <exception cref="TorrentPSException"><c>ListenFailed</c>: no port could be bound.</exception>
    public static ListenBinding Bind(ListenSettings settings, Func<IPEndPoint, PeerListener> startListener)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TorrentPSException? last = null;
        if (settings.Port != 0)
        {
            for (var attempt = 0; attempt < ListenSettings.PortsTried && settings.Port + attempt <= IPEndPoint.MaxPort; attempt++)
            {
                if (TryBind(settings.Address, settings.Port + attempt, startListener, ref last) is { } bound)
                {
                    return bound;
                }
            }

            if (settings.Port != ListenSettings.DefaultPort)
            {
                throw new TorrentPSException(
                    "ListenFailed",
                    TorrentErrorKind.ResourceUnavailable,
                    $"Cannot listen for peers on {settings.Address} ports {settings.Port} to {Math.Min(IPEndPoint.MaxPort, settings.Port + ListenSettings.PortsTried - 1)}: {last?.InnerException?.Message ?? last?.Message ?? "in use"}.",
                    last);
            }
        }

        for (var attempt = 0; attempt < AnyPortAttempts; attempt++)
        {
            if (TryBind(settings.Address, 0, startListener, ref last) is { } bound)
            {
                return bound;
            }
        }

        throw last ?? new TorrentPSException("ListenFailed", TorrentErrorKind.ResourceUnavailable, $"Cannot listen for peers on {settings.Address}.");
    }

    /// <summary>The UDP socket bound to the same port, handed to whoever serves UDP there (the DHT); null once taken.</summary>
    public Socket? TakeUdpSocket() => Interlocked.Exchange(ref _udp, null);

    /// <summary>A new UDP socket on the listen port's number (the one taken was closed: the DHT starts over); null when it cannot be bound.</summary>
    public Socket? BindUdpAgain()
    {
        var address = Listener.LocalEndPoint.Address;
        var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            udp.Bind(new IPEndPoint(address, Listener.LocalEndPoint.Port));
            return udp;
        }
        catch (SocketException)
        {
            udp.Dispose();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        TakeUdpSocket()?.Dispose();
        await Listener.DisposeAsync().ConfigureAwait(false);
    }

    private static ListenBinding? TryBind(IPAddress address, int port, Func<IPEndPoint, PeerListener> startListener, ref TorrentPSException? last)
    {
        PeerListener listener;
        try
        {
            listener = startListener(new IPEndPoint(address, port));
        }
        catch (TorrentPSException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse or SocketError.AccessDenied })
        {
            last = ex;
            return null;
        }

        var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            udp.Bind(new IPEndPoint(address, listener.LocalEndPoint.Port));
            return new ListenBinding(listener, udp);
        }
        catch (SocketException ex)
        {
            udp.Dispose();
            last = new TorrentPSException("ListenFailed", TorrentErrorKind.ResourceUnavailable, $"UDP port {listener.LocalEndPoint.Port} on {address} is taken: {ex.Message}", ex);
            _ = listener.DisposeAsync().AsTask();
            return null;
        }
    }
}
