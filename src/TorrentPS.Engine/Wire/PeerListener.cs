using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// Accepts peers on one IP and port. A thread of its own accepts (blocking, so accepted sockets never go asynchronous),
/// and each accepted peer gets a thread of its own that reads its handshake, asks the lookup whether we serve its info
/// hash (and with which options), answers, and hands the open <see cref="PeerWire"/> to the handler <em>on that same
/// thread</em>, which may keep it as the connection's reading thread. Peers for torrents we do not serve, and peers that
/// break the handshake, are dropped with a logged reason. At most a bounded number of handshakes run at once. Given the
/// info hashes it serves, it also answers encrypted handshakes (<see cref="EncryptedHandshake"/>).
/// </summary>
internal sealed class PeerListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<InfoHash, HandshakeOptions?> _lookup;

    /// <summary>The info hashes served, for a peer that names its torrent inside an encrypted handshake (null: plaintext only).</summary>
    private readonly Func<IEnumerable<InfoHash>>? _served;
    private readonly Action<PeerWire, CancellationToken> _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _handshakeTimeout;
    private readonly int _maxPendingHandshakes;
    private readonly TaskCompletionSource _acceptLoopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pendingHandshakes;
    private int _accepted;

    private PeerListener(Socket socket, Func<InfoHash, HandshakeOptions?> lookup, Action<PeerWire, CancellationToken> handler, ILogger logger, TimeSpan handshakeTimeout, int maxPendingHandshakes, Func<IEnumerable<InfoHash>>? served)
    {
        _socket = socket;
        _served = served;
        _lookup = lookup;
        _handler = handler;
        _logger = logger;
        _handshakeTimeout = handshakeTimeout;
        _maxPendingHandshakes = maxPendingHandshakes;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The address and port we listen on (the port the OS chose when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections accepted and handed over so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _accepted);

    /// <summary>
    /// Binds <paramref name="endPoint"/> and starts accepting. <paramref name="handler"/> runs on the connection's own
    /// thread and owns the wire from then on (it disposes it); the token is cancelled when the listener stops.
    /// </summary>
    /// <exception cref="TorrentPSException">The address cannot be bound (<c>ListenFailed</c>).</exception>
    public static PeerListener Start(
        IPEndPoint endPoint,
        Func<InfoHash, HandshakeOptions?> lookup,
        Action<PeerWire, CancellationToken> handler,
        ILoggerFactory? loggerFactory = null,
        TimeSpan? handshakeTimeout = null,
        int maxPendingHandshakes = 64,
        Func<IEnumerable<InfoHash>>? served = null)
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
            throw new TorrentPSException("ListenFailed", TorrentErrorKind.ResourceUnavailable, $"Cannot listen for peers on {endPoint}: {ex.Message}", ex);
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PeerListener>();
        var listener = new PeerListener(socket, lookup, handler, logger, handshakeTimeout ?? TimeSpan.FromSeconds(10), maxPendingHandshakes, served);
        logger.LogInformation("Listening for peers on {EndPoint}", listener.LocalEndPoint);
        ConnectionThread.Start($"TorrentPS listener {listener.LocalEndPoint}", listener.AcceptLoop);
        return listener;
    }

    /// <summary>
    /// Binds and accepts like the other overload, handing each peer over as an awaitable <see cref="PeerConnection"/>
    /// (its extension handshake awaited): for tools and tests.
    /// </summary>
    public static PeerListener Start(
        IPEndPoint endPoint,
        Func<InfoHash, HandshakeOptions?> lookup,
        Func<PeerConnection, CancellationToken, Task> handler,
        ILoggerFactory? loggerFactory = null,
        TimeSpan? handshakeTimeout = null,
        int maxPendingHandshakes = 64)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PeerListener>();
        return Start(endPoint, lookup, (wire, token) =>
        {
            PeerConnection connection;
            try
            {
                connection = PeerConnection.FromWire(wire, token);
            }
            catch (Exception ex) when (ex is PeerException or OperationCanceledException)
            {
                logger.LogInformation("Incoming peer dropped: {Reason}", ex.Message);
                return;
            }

            _ = RunHandlerAsync(connection, token);
        }, loggerFactory, handshakeTimeout, maxPendingHandshakes);

        async Task RunHandlerAsync(PeerConnection connection, CancellationToken token)
        {
            try
            {
                await handler(connection, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is PeerException or OperationCanceledException)
            {
                await connection.CloseAsync(ex.Message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Peer {EndPoint}: the connection handler failed", connection.RemoteEndPoint);
                await connection.CloseAsync($"handler failed: {ex.Message}").ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _socket.Dispose();
        await _acceptLoopDone.Task.ConfigureAwait(false);
    }

    private void AcceptLoop()
    {
        var token = _stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = _socket.Accept();
                }
                catch (Exception ex) when (ex is ObjectDisposedException || token.IsCancellationRequested)
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

                ConnectionThread.Start($"TorrentPS peer {accepted.RemoteEndPoint}", () => Handle(accepted, token));
            }
        }
        finally
        {
            _acceptLoopDone.TrySetResult();
        }
    }

    private void Handle(Socket socket, CancellationToken token)
    {
        PeerWire wire;
        try
        {
            wire = HandshakeExchange.Accept(socket, _lookup, _handshakeTimeout, _logger, token, _served);
        }
        catch (Exception ex) when (ex is PeerException or OperationCanceledException)
        {
            _logger.LogInformation("Incoming peer dropped: {Reason}", ex.Message);
            return;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "An incoming handshake failed unexpectedly");
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _pendingHandshakes);
        }

        Interlocked.Increment(ref _accepted);
        try
        {
            _handler(wire, token);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Peer {EndPoint}: the connection handler failed", wire.RemoteEndPoint);
            wire.Dispose();
        }
    }
}
