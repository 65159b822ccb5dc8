using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// A BEP 15 UDP tracker. Connects with a random transaction id, reuses the connection id for up to a minute,
/// retransmits after <c>base × 2^n</c> (n up to 8), and ignores stray, truncated or mismatched datagrams.
/// One request at a time per client.
/// </summary>
internal sealed class UdpTrackerClient : ITrackerClient
{
    private readonly TrackerOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    private readonly string _host;
    private readonly int _port;
    private Socket? _socket;
    private long _connectionId;
    private long _connectionIdTimestamp;
    private bool _hasConnectionId;
    private bool _disposed;

    public UdpTrackerClient(string url, TrackerOptions? options = null)
    {
        Url = url;
        _options = options ?? TrackerOptions.Default;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "udp" || uri.Port <= 0 || uri.Host.Length == 0)
        {
            throw new UnsupportedTrackerException(url, "a UDP tracker URL needs a host and a port (udp://host:port/announce)");
        }

        _host = uri.DnsSafeHost;
        _port = uri.Port;
    }

    public string Url { get; }

    /// <summary>How many datagrams this client has sent (retransmissions included).</summary>
    public int DatagramsSent { get; private set; }

    /// <summary>Raised after each datagram goes out, with its attempt number (0 = first send): lets tests time the backoff at the source.</summary>
    internal event Action<int>? DatagramSent;

    public async Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken)
    {
        return await RunAsync(
            async ct =>
            {
                var connectionId = await GetConnectionIdAsync(ct).ConfigureAwait(false);
                var packet = new byte[UdpTrackerProtocol.AnnounceRequestLength];
                var transactionId = NewTransactionId();
                UdpTrackerProtocol.WriteAnnounce(packet, connectionId, transactionId, request);
                var length = await ExchangeAsync(packet, transactionId, UdpTrackerProtocol.ActionAnnounce, ct).ConfigureAwait(false);
                return UdpTrackerProtocol.ReadAnnounce(_receiveBuffer.AsSpan(0, length), _socket!.AddressFamily == AddressFamily.InterNetworkV6);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        return await RunAsync(
            async ct =>
            {
                var connectionId = await GetConnectionIdAsync(ct).ConfigureAwait(false);
                var packet = new byte[UdpTrackerProtocol.ScrapeRequestLength(1)];
                var transactionId = NewTransactionId();
                UdpTrackerProtocol.WriteScrape(packet, connectionId, transactionId, infoHash.AsSpan());
                var length = await ExchangeAsync(packet, transactionId, UdpTrackerProtocol.ActionScrape, ct).ConfigureAwait(false);
                return UdpTrackerProtocol.ReadScrape(_receiveBuffer.AsSpan(0, length));
            },
            cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _socket?.Dispose();
            _gate.Dispose();
        }
    }

    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await EnsureSocketAsync(timeout.Token).ConfigureAwait(false);
                return await operation(timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TrackerTimeoutException(Url, _options.Timeout);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            throw Refused(ex);
        }
        catch (SocketException ex)
        {
            throw new TrackerFailedException(Url, ex.Message, ex);
        }
    }

    private async Task EnsureSocketAsync(CancellationToken cancellationToken)
    {
        if (_socket is not null)
        {
            return;
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(_host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            addresses = await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
        }

        var local = _options.LocalAddress;
        var remote = addresses.FirstOrDefault(a => local is null ? a.AddressFamily == AddressFamily.InterNetwork : a.AddressFamily == local.AddressFamily)
            ?? (local is null ? addresses.FirstOrDefault() : null)
            ?? throw new TrackerFailedException(Url, $"the host '{_host}' has no address to reach it by");
        var socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (local is not null)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            await socket.ConnectAsync(new IPEndPoint(remote, _port), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
    }

    private async Task<long> GetConnectionIdAsync(CancellationToken cancellationToken)
    {
        if (_hasConnectionId && Stopwatch.GetElapsedTime(_connectionIdTimestamp) < _options.UdpConnectionIdLifetime)
        {
            return _connectionId;
        }

        var packet = new byte[UdpTrackerProtocol.ConnectRequestLength];
        var transactionId = NewTransactionId();
        UdpTrackerProtocol.WriteConnect(packet, transactionId);
        var length = await ExchangeAsync(packet, transactionId, UdpTrackerProtocol.ActionConnect, cancellationToken).ConfigureAwait(false);
        _connectionId = UdpTrackerProtocol.ReadConnectionId(_receiveBuffer.AsSpan(0, length));
        _connectionIdTimestamp = Stopwatch.GetTimestamp();
        _hasConnectionId = true;
        return _connectionId;
    }

    /// <summary>
    /// Sends <paramref name="packet"/> and waits for its answer, sending it again after each BEP 15 delay.
    /// Returns the length of the answer in the receive buffer.
    /// </summary>
    private async Task<int> ExchangeAsync(byte[] packet, int transactionId, int action, CancellationToken cancellationToken)
    {
        var socket = _socket!;
        for (var attempt = 0; attempt <= _options.UdpMaxRetransmits; attempt++)
        {
            await socket.SendAsync(packet, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            DatagramsSent++;
            DatagramSent?.Invoke(attempt);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(_options.UdpRetransmitDelay(attempt));
            try
            {
                var length = await ReceiveAnswerAsync(socket, transactionId, action, wait.Token).ConfigureAwait(false);
                return length;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer in time: send again with the next, doubled, delay.
            }
        }

        throw new TrackerTimeoutException(Url, _options.Timeout);
    }

    private async Task<int> ReceiveAnswerAsync(Socket socket, int transactionId, int action, CancellationToken cancellationToken)
    {
        while (true)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(_receiveBuffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // ICMP "port unreachable" (reset, on Windows): nothing listens there. Waiting out the retransmissions would
                // only turn a clear refusal into a timeout.
                throw Refused(ex);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.MessageSize)
            {
                // An oversized datagram: not an answer, keep waiting.
                continue;
            }

            var datagram = _receiveBuffer.AsSpan(0, length);
            if (!UdpTrackerProtocol.TryReadHeader(datagram, out var answerAction, out var answerTransactionId) || answerTransactionId != transactionId)
            {
                continue;
            }

            if (answerAction == UdpTrackerProtocol.ActionError)
            {
                // The connection id may be what the tracker objects to: the next request connects afresh.
                _hasConnectionId = false;
                throw new TrackerFailedException(Url, UdpTrackerProtocol.ReadErrorMessage(datagram));
            }

            if (answerAction != action || length < UdpTrackerProtocol.MinimumResponseLength(action))
            {
                continue;
            }

            return length;
        }
    }

    private TrackerFailedException Refused(SocketException ex)
        => new(Url, $"connection refused: nothing listens on UDP port {_port} of {_host}", ex);

    private static int NewTransactionId() => RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
}
