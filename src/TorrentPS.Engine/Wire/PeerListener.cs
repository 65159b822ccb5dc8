using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// Accepts peers on one IP and port: reads each one's handshake, asks the lookup whether we serve its
/// info hash (and with which options), answers, exchanges extension handshakes and hands the open
/// <see cref="PeerConnection"/> to the handler, which owns it from then on. Peers for torrents we do not
/// serve, and peers that break the handshake, are dropped with a logged reason.
/// </summary>
public sealed class PeerListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<InfoHash, HandshakeOptions?> _lookup;
    private readonly Func<PeerConnection, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _handshakeTimeout;
    private readonly int _maxPendingHandshakes;
    private readonly bool _ownsSessionPort;
    private int _pendingHandshakes;
    private Task _acceptLoop = Task.CompletedTask;

    private PeerListener(Socket socket, Func<InfoHash, HandshakeOptions?> lookup, Func<PeerConnection, CancellationToken, Task> handler, ILogger logger, TimeSpan handshakeTimeout, int maxPendingHandshakes, bool ownsSessionPort)
    {
        _socket = socket;
        _lookup = lookup;
        _handler = handler;
        _logger = logger;
        _handshakeTimeout = handshakeTimeout;
        _maxPendingHandshakes = maxPendingHandshakes;
        _ownsSessionPort = ownsSessionPort;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The address and port we listen on (the port the OS chose when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections accepted and handed over so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _accepted);

    private int _accepted;

    /// <summary>Binds <paramref name="endPoint"/> and starts accepting.</summary>
    /// <param name="setSessionListenPort">Announce this port as <see cref="TorrentSession.ListenPort"/> of the shared session (reset on dispose).</param>
    /// <exception cref="Errors.TorrentPSException">The address cannot be bound (<c>ListenFailed</c>).</exception>
    public static PeerListener Start(
        IPEndPoint endPoint,
        Func<InfoHash, HandshakeOptions?> lookup,
        Func<PeerConnection, CancellationToken, Task> handler,
        bool setSessionListenPort = false,
        ILoggerFactory? loggerFactory = null,
        TimeSpan? handshakeTimeout = null,
        int maxPendingHandshakes = 64)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(handler);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new Errors.TorrentPSException("ListenFailed", Errors.TorrentErrorKind.ResourceUnavailable, $"Cannot listen for peers on {endPoint}: {ex.Message}", ex);
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PeerListener>();
        var listener = new PeerListener(socket, lookup, handler, logger, handshakeTimeout ?? TimeSpan.FromSeconds(10), maxPendingHandshakes, setSessionListenPort);
        if (setSessionListenPort)
        {
            TorrentSession.Shared.ListenPort = listener.LocalEndPoint.Port;
        }

        logger.LogInformation("Listening for peers on {EndPoint}", listener.LocalEndPoint);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _socket.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_ownsSessionPort && TorrentSession.Shared.ListenPort == LocalEndPoint.Port)
        {
            TorrentSession.Shared.ListenPort = 0;
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning("Accepting a peer on {EndPoint} failed: {Reason}", LocalEndPoint, ex.Message);
                continue;
            }

            if (Interlocked.Increment(ref _pendingHandshakes) > _maxPendingHandshakes)
            {
                Interlocked.Decrement(ref _pendingHandshakes);
                _logger.LogInformation("Peer {EndPoint}: refused, {Count} handshakes already pending", accepted.RemoteEndPoint, _maxPendingHandshakes);
                accepted.Dispose();
                continue;
            }

            _ = HandleAsync(accepted, token);
        }
    }

    private async Task HandleAsync(Socket socket, CancellationToken token)
    {
        PeerConnection connection;
        try
        {
            connection = await PeerConnection.AcceptAsync(socket, _lookup, _handshakeTimeout, _logger, token).ConfigureAwait(false);
        }
        catch (PeerException ex)
        {
            _logger.LogInformation("Incoming peer dropped: {Reason}", ex.Message);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _pendingHandshakes);
        }

        Interlocked.Increment(ref _accepted);
        try
        {
            await _handler(connection, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PeerException or OperationCanceledException)
        {
            await connection.CloseAsync(ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Peer {EndPoint}: the connection handler failed", connection.RemoteEndPoint);
            await connection.CloseAsync($"handler failed: {ex.Message}").ConfigureAwait(false);
        }
    }
}
