using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// One TCP connection to a peer after a successful BEP 3 handshake (and BEP 10 extension handshake
/// when both sides support it). Reads and writes framed messages through pooled buffers: decoding a
/// message allocates nothing, its payload points into the receive buffer until the next read.
/// One reader and one writer at a time (sends are serialised). Every protocol violation closes the
/// connection with a logged reason and a typed <see cref="PeerException"/>. The ValueTasks its reads and
/// sends return are pooled: await each exactly once.
/// </summary>
public sealed class PeerConnection : IAsyncDisposable
{
    private const int InitialBufferSize = 32 * 1024;
    private const int SendBufferSize = 256;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private CancellationTokenSource _messageDeadline = new();
    private byte[] _receive;
    private byte[] _send;
    private int _start;
    private int _end;
    private long _bytesReceived;
    private int _consumeOnNextRead;
    private int _closed;

    private PeerConnection(Socket socket, IPEndPoint remote, InfoHash infoHash, HandshakeOptions options, ILogger logger)
    {
        _socket = socket;
        RemoteEndPoint = remote;
        InfoHash = infoHash;
        Options = options;
        _logger = logger;
        _receive = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        _send = ArrayPool<byte>.Shared.Rent(SendBufferSize);
        LocalReserved = options.ReservedBits;
        Limits = new PeerMessageLimits { PieceCount = options.PieceCount };
    }

    public IPEndPoint RemoteEndPoint { get; }

    public InfoHash InfoHash { get; }

    public HandshakeOptions Options { get; }

    /// <summary>We dialled the peer (false: it dialled our listener).</summary>
    public bool IsOutgoing { get; private init; }

    /// <summary>The reserved bits we sent.</summary>
    public ReservedBits LocalReserved { get; }

    /// <summary>The peer's handshake: its reserved bits and peer id.</summary>
    public HandshakeMessage RemoteHandshake { get; private set; } = null!;

    /// <summary>The peer's BEP 10 extension handshake, when one was exchanged.</summary>
    public ExtensionHandshake? RemoteExtensionHandshake { get; private set; }

    /// <summary>Both sides set the extension-protocol bit.</summary>
    public bool ExtensionProtocol => LocalReserved.SupportsExtensionProtocol && RemoteHandshake.Reserved.SupportsExtensionProtocol;

    /// <summary>Both sides set the fast-extension bit.</summary>
    public bool FastExtension => LocalReserved.SupportsFastExtension && RemoteHandshake.Reserved.SupportsFastExtension;

    /// <summary>What this connection accepts, from the negotiated extensions and the piece count.</summary>
    public PeerMessageLimits Limits { get; private set; }

    /// <summary>The peer's bitfield when it sent one while the handshakes were exchanged (a copy).</summary>
    public byte[]? EarlyBitfield { get; private set; }

    /// <summary>The peer sent have all (BEP 6) while the handshakes were exchanged.</summary>
    public bool EarlyHaveAll { get; private set; }

    /// <summary>How long the handshakes took, from the first byte sent or received.</summary>
    public TimeSpan HandshakeElapsed { get; private set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Dials <paramref name="endPoint"/>, exchanges handshakes for <paramref name="infoHash"/> and returns the open connection.</summary>
    /// <exception cref="PeerUnreachableException">Refused, unreachable, or closed during the handshake.</exception>
    /// <exception cref="PeerTimeoutException">No connection or no answer in time.</exception>
    /// <exception cref="InfoHashMismatchException">The peer answered for another torrent.</exception>
    /// <exception cref="PeerProtocolException">The peer's answer is not a BitTorrent handshake.</exception>
    public static async Task<PeerConnection> ConnectAsync(IPEndPoint endPoint, InfoHash infoHash, HandshakeOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(infoHash);
        options ??= HandshakeOptions.Default;
        logger ??= NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (options.LocalAddress is { } local)
            {
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                }
                catch (SocketException ex)
                {
                    throw new PeerUnreachableException(endPoint, $"cannot dial from {local}: {Describe(ex)}", ex);
                }
            }

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new PeerTimeoutException(endPoint, $"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s");
                }
                catch (SocketException ex)
                {
                    throw new PeerUnreachableException(endPoint, $"cannot connect: {Describe(ex)}", ex);
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new PeerConnection(socket, endPoint, infoHash, options, logger) { IsOutgoing = true };
        try
        {
            await connection.RunOutgoingHandshakeAsync(started, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex)
        {
            throw await connection.CloseAfterFailureAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the answering side of the handshake on an accepted socket: reads the peer's handshake,
    /// asks <paramref name="lookup"/> whether we serve its info hash (null: hang up), answers, reads
    /// the peer id and exchanges extension handshakes.
    /// </summary>
    public static async Task<PeerConnection> AcceptAsync(Socket socket, Func<InfoHash, HandshakeOptions?> lookup, TimeSpan handshakeTimeout, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(lookup);
        logger ??= NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();
        var remote = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        if (remote.Address.IsIPv4MappedToIPv6)
        {
            remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
        }

        socket.NoDelay = true;
        var receive = ArrayPool<byte>.Shared.Rent(HandshakeMessage.Length);
        try
        {
            ReservedBits reserved;
            InfoHash infoHash;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(handshakeTimeout);
                await ReceiveExactlyAsync(socket, remote, receive.AsMemory(0, HandshakeMessage.PrefixLength), timeout.Token, cancellationToken, handshakeTimeout, "the handshake").ConfigureAwait(false);
                try
                {
                    (reserved, infoHash) = HandshakeMessage.ReadPrefix(receive);
                }
                catch (PeerProtocolException ex)
                {
                    throw ex.WithEndPoint(remote);
                }
            }

            var options = lookup(infoHash);
            if (options is null)
            {
                throw new PeerProtocolException(remote, $"asked for info hash {infoHash}, which is not served here");
            }

            var connection = new PeerConnection(socket, remote, infoHash, options, logger) { IsOutgoing = false };
            try
            {
                receive.AsSpan(0, HandshakeMessage.PrefixLength).CopyTo(connection._receive);
                connection._end = HandshakeMessage.PrefixLength;
                await connection.RunIncomingHandshakeAsync(reserved, started, cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch (Exception ex)
            {
                throw await connection.CloseAfterFailureAsync(ex).ConfigureAwait(false);
            }
        }
        catch (PeerException ex) when (ex.EndPoint is not null && socket.Connected)
        {
            logger.LogInformation("Peer {EndPoint}: closing the incoming connection: {Reason}", remote, ex.Reason);
            socket.Dispose();
            throw;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(receive);
        }
    }

    /// <summary>Reads the next message. Its payload is valid until the next call. Await the returned task once (it is pooled).</summary>
    /// <exception cref="PeerProtocolException">The peer broke the protocol; the connection is closed.</exception>
    /// <exception cref="PeerTimeoutException">The peer stalled in the middle of a message; the connection is closed.</exception>
    /// <exception cref="PeerUnreachableException">The peer closed the connection.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<PeerMessage> ReadMessageAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await ReadMessageCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw await CloseAfterFailureAsync(ex).ConfigureAwait(false);
        }
    }

    public ValueTask SendKeepAliveAsync(CancellationToken cancellationToken = default)
        => SendAsync(0, static (span, _) => PeerMessageEncoder.WriteKeepAlive(span), default, cancellationToken);

    public ValueTask SendSignalAsync(PeerMessageType type, CancellationToken cancellationToken = default)
    {
        if (type is PeerMessageType.HaveAll or PeerMessageType.HaveNone ? !FastExtension : type is not (PeerMessageType.Choke or PeerMessageType.Unchoke or PeerMessageType.Interested or PeerMessageType.NotInterested))
        {
            throw new ArgumentException($"{type} is not a message without a body this connection may send.", nameof(type));
        }

        return SendAsync(type, static (span, t) => t switch
        {
            PeerMessageType.Choke => PeerMessageEncoder.WriteChoke(span),
            PeerMessageType.Unchoke => PeerMessageEncoder.WriteUnchoke(span),
            PeerMessageType.Interested => PeerMessageEncoder.WriteInterested(span),
            PeerMessageType.NotInterested => PeerMessageEncoder.WriteNotInterested(span),
            PeerMessageType.HaveAll => PeerMessageEncoder.WriteHaveAll(span),
            _ => PeerMessageEncoder.WriteHaveNone(span),
        }, default, cancellationToken);
    }

    public ValueTask SendHaveAsync(int index, CancellationToken cancellationToken = default)
        => SendAsync(index, static (span, i) => PeerMessageEncoder.WriteHave(span, i), default, cancellationToken);

    public ValueTask SendRequestAsync(int index, int begin, int length, CancellationToken cancellationToken = default)
        => SendAsync((index, begin, length), static (span, r) => PeerMessageEncoder.WriteRequest(span, r.index, r.begin, r.length), default, cancellationToken);

    public ValueTask SendCancelAsync(int index, int begin, int length, CancellationToken cancellationToken = default)
        => SendAsync((index, begin, length), static (span, r) => PeerMessageEncoder.WriteCancel(span, r.index, r.begin, r.length), default, cancellationToken);

    /// <summary>Sends a block: the 13-byte header from the send buffer, then the block itself, without copying it.</summary>
    public ValueTask SendPieceAsync(int index, int begin, ReadOnlyMemory<byte> block, CancellationToken cancellationToken = default)
        => SendAsync((index, begin, block.Length), static (span, p) => PeerMessageEncoder.WritePieceHeader(span, p.index, p.begin, p.Length), block, cancellationToken);

    public ValueTask SendBitfieldAsync(ReadOnlyMemory<byte> bitfield, CancellationToken cancellationToken = default)
    {
        PeerMessageDecoder.CheckBitfield(bitfield.Span, Options.PieceCount);
        return SendAsync(bitfield.Length, static (span, length) =>
        {
            BinaryPrimitives.WriteInt32BigEndian(span, 1 + length);
            span[4] = (byte)PeerMessageType.Bitfield;
            return 5;
        }, bitfield, cancellationToken);
    }

    /// <summary>Sends extended message <paramref name="extendedId"/> (the peer's id for the extension) with a bencoded body.</summary>
    public ValueTask SendExtendedAsync(byte extendedId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (!ExtensionProtocol)
        {
            throw new InvalidOperationException("The extension protocol was not negotiated on this connection.");
        }

        return SendAsync((extendedId, payload.Length), static (span, e) => PeerMessageEncoder.WriteExtendedHeader(span, e.extendedId, e.Length), payload, cancellationToken);
    }

    /// <summary>Closes the connection, logging <paramref name="reason"/>.</summary>
    public ValueTask CloseAsync(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _logger.LogDebug("Peer {EndPoint}: closing: {Reason}", RemoteEndPoint, reason);
            Release(readerIdle: false);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => CloseAsync("disposed");

    private async Task RunOutgoingHandshakeAsync(long started, CancellationToken cancellationToken)
    {
        await SendHandshakeAsync(cancellationToken).ConfigureAwait(false);
        await WithDeadlineAsync(Options.HandshakeTimeout, "the handshake", cancellationToken, async token =>
        {
            await FillAsync(HandshakeMessage.Length, token).ConfigureAwait(false);
            RemoteHandshake = HandshakeMessage.Read(_receive.AsSpan(_start, HandshakeMessage.Length));
            _start += HandshakeMessage.Length;
        }).ConfigureAwait(false);

        if (!RemoteHandshake.InfoHash.Equals(InfoHash))
        {
            throw new InfoHashMismatchException(RemoteEndPoint, InfoHash, RemoteHandshake.InfoHash);
        }

        await FinishHandshakeAsync(started, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunIncomingHandshakeAsync(ReservedBits remoteReserved, long started, CancellationToken cancellationToken)
    {
        await SendHandshakeAsync(cancellationToken).ConfigureAwait(false);
        await WithDeadlineAsync(Options.HandshakeTimeout, "the handshake's peer id", cancellationToken, async token =>
        {
            await FillAsync(HandshakeMessage.Length, token).ConfigureAwait(false);
            RemoteHandshake = new HandshakeMessage(remoteReserved, InfoHash, new PeerId(_receive.AsSpan(_start + HandshakeMessage.PrefixLength, PeerId.Length)));
            _start += HandshakeMessage.Length;
        }).ConfigureAwait(false);
        await FinishHandshakeAsync(started, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask SendHandshakeAsync(CancellationToken cancellationToken)
        => SendAsync(new HandshakeMessage(LocalReserved, InfoHash, Options.ResolvePeerId()), static (span, h) =>
        {
            h.Write(span);
            return HandshakeMessage.Length;
        }, default, cancellationToken);

    private async Task FinishHandshakeAsync(long started, CancellationToken cancellationToken)
    {
        Limits = new PeerMessageLimits { PieceCount = Options.PieceCount, ExtensionProtocol = ExtensionProtocol, FastExtension = FastExtension };
        _logger.LogDebug("Peer {EndPoint}: handshake done, peer id {PeerId} ({Client}), reserved {Reserved}", RemoteEndPoint, RemoteHandshake.PeerId, PeerClient.FromPeerId(RemoteHandshake.PeerId), RemoteHandshake.Reserved);
        if (ExtensionProtocol && Options.ExchangeExtensionHandshake)
        {
            var ours = Options.LocalExtensionHandshake ?? ExtensionHandshake.CreateLocal(yourIp: RemoteEndPoint.Address);
            using (var body = new PooledBufferWriter())
            {
                ours.Encode(body);
                await SendExtendedAsync(0, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }

            await WithDeadlineAsync(Options.HandshakeTimeout, "the extension handshake", cancellationToken, async token =>
            {
                while (RemoteExtensionHandshake is null)
                {
                    var message = await ReadMessageCoreAsync(token).ConfigureAwait(false);
                    NoteEarlyMessage(message);
                }
            }).ConfigureAwait(false);
        }

        HandshakeElapsed = Stopwatch.GetElapsedTime(started);
    }

    private void NoteEarlyMessage(in PeerMessage message)
    {
        switch (message.Type)
        {
            case PeerMessageType.Extended when message.ExtendedId == 0:
                try
                {
                    RemoteExtensionHandshake = ExtensionHandshake.Decode(message.Payload);
                }
                catch (PeerProtocolException ex)
                {
                    throw ex.WithEndPoint(RemoteEndPoint);
                }

                _logger.LogDebug("Peer {EndPoint}: extension handshake: v={Version} reqq={Reqq} metadata_size={MetadataSize} m={Extensions}", RemoteEndPoint, RemoteExtensionHandshake.ClientVersion, RemoteExtensionHandshake.RequestQueueLimit, RemoteExtensionHandshake.MetadataSize, string.Join(",", RemoteExtensionHandshake.Extensions.Select(e => $"{e.Key}:{e.Value}")));
                break;
            case PeerMessageType.Bitfield:
                EarlyBitfield = message.Payload.ToArray();
                break;
            case PeerMessageType.Have when EarlyBitfield is not null && message.Index / 8 < EarlyBitfield.Length:
                EarlyBitfield[message.Index / 8] |= (byte)(0x80 >> (message.Index % 8));
                break;
            case PeerMessageType.HaveAll:
                EarlyHaveAll = true;
                break;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<PeerMessage> ReadMessageCoreAsync(CancellationToken cancellationToken)
    {
        _start += _consumeOnNextRead;
        _consumeOnNextRead = 0;
        if (_start == _end)
        {
            _start = _end = 0; // empty: the next read fills from the front, no compaction copies
        }

        if (_end - _start < PeerMessageDecoder.LengthPrefixSize)
        {
            await FillAsync(PeerMessageDecoder.LengthPrefixSize, cancellationToken).ConfigureAwait(false);
        }

        // Once a message has started, the rest must follow within MessageTimeout.
        PeerMessageDecoder.CheckLengthOnly(_receive.AsSpan(_start, PeerMessageDecoder.LengthPrefixSize), Limits);
        if (!TryDecodeBuffered(out var message))
        {
            await ReadRestOfMessageAsync(cancellationToken).ConfigureAwait(false);
            TryDecodeBuffered(out message);
        }

        return message;
    }

    /// <summary>
    /// Waits for the rest of a started message, within <see cref="HandshakeOptions.MessageTimeout"/>. Every block that
    /// straddles a read comes here, so it allocates nothing: one deadline source per connection, reset after each use,
    /// and a registration (its node reused) rather than a linked source for the caller's token.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadRestOfMessageAsync(CancellationToken cancellationToken)
    {
        var deadline = _messageDeadline;
        deadline.CancelAfter(Options.MessageTimeout);
        var registration = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
        try
        {
            await FillAsync(5, deadline.Token).ConfigureAwait(false);
            var frameLength = PeerMessageDecoder.CheckHeader(_receive.AsSpan(_start, 5), Limits);
            await FillAsync(frameLength, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Timeout("a message", Options.MessageTimeout);
        }
        finally
        {
            registration.Dispose();
            if (!deadline.TryReset())
            {
                // It fired (or the caller cancelled): a cancelled source cannot be reused.
                deadline.Dispose();
                _messageDeadline = new CancellationTokenSource();
            }
        }
    }

    private bool TryDecodeBuffered(out PeerMessage message)
    {
        if (!PeerMessageDecoder.TryDecode(_receive.AsMemory(_start, _end - _start), Limits, out message, out var consumed))
        {
            return false;
        }

        _consumeOnNextRead = consumed;
        return true;
    }

    /// <summary>Reads from the socket until <paramref name="count"/> bytes are buffered from <see cref="_start"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_start + count > _receive.Length)
        {
            // Compact, or grow to a frame whose size the header checks already bounded.
            var target = count <= _receive.Length ? _receive : ArrayPool<byte>.Shared.Rent(count);
            _receive.AsSpan(_start, _end - _start).CopyTo(target);
            if (!ReferenceEquals(target, _receive))
            {
                ArrayPool<byte>.Shared.Return(_receive);
                _receive = target;
            }

            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new PeerUnreachableException(RemoteEndPoint, $"the connection failed: {Describe(ex)}", ex);
            }
            catch (ObjectDisposedException ex)
            {
                throw new PeerUnreachableException(RemoteEndPoint, "the connection was closed", ex);
            }

            if (read == 0)
            {
                throw new PeerUnreachableException(RemoteEndPoint, _end - _start == 0 ? "the peer closed the connection" : $"the peer closed the connection in the middle of a message ({_end - _start} of {count} bytes)");
            }

            _end += read;
            _bytesReceived += read;
        }
    }

    private async Task WithDeadlineAsync(TimeSpan timeout, string what, CancellationToken cancellationToken, Func<CancellationToken, ValueTask> work)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await work(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Timeout(what, timeout);
        }
    }

    private PeerTimeoutException Timeout(string what, TimeSpan timeout)
        => new(RemoteEndPoint, $"{what} did not arrive within {timeout.TotalSeconds:0.#} s ({_end - _start} bytes received of it, {_bytesReceived} on the connection)");

    private delegate int HeaderWriter<TState>(Span<byte> destination, TState state);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync<TState>(TState state, HeaderWriter<TState> writeHeader, ReadOnlyMemory<byte> tail, CancellationToken cancellationToken)
    {
        // One sender at a time: the header is written into the send buffer and sent, then the tail (a block) as it is.
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                throw new PeerUnreachableException(RemoteEndPoint, "the connection is closed");
            }

            var length = writeHeader(_send, state);
            await _socket.SendAsync(_send.AsMemory(0, length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (!tail.IsEmpty)
            {
                await _socket.SendAsync(tail, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException ex)
        {
            throw new PeerUnreachableException(RemoteEndPoint, $"sending failed: {Describe(ex)}", ex);
        }
        catch (ObjectDisposedException ex)
        {
            throw new PeerUnreachableException(RemoteEndPoint, "the connection was closed", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Closes the connection after <paramref name="failure"/> and returns the typed exception to throw in its place. A
    /// failure that already is typed (a <see cref="PeerException"/>, a cancellation) is rethrown from here as it is, its
    /// stack trace kept.
    /// </summary>
    private async ValueTask<Exception> CloseAfterFailureAsync(Exception failure)
    {
        var typed = Classify(failure);
        await CloseAfterAsync(typed).ConfigureAwait(false);
        if (ReferenceEquals(typed, failure))
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return typed;
    }

    private Exception Classify(Exception ex) => ex switch
    {
        PeerProtocolException protocol => protocol.WithEndPoint(RemoteEndPoint),
        PeerException => ex,
        OperationCanceledException => ex,
        _ => new PeerProtocolException(RemoteEndPoint, $"unexpected failure: {ex.Message}", ex),
    };

    private ValueTask CloseAfterAsync(Exception ex)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            var reason = ex is PeerException peer ? peer.Reason : ex.Message;
            if (ex is OperationCanceledException)
            {
                _logger.LogDebug("Peer {EndPoint}: closing: cancelled", RemoteEndPoint);
            }
            else
            {
                _logger.LogInformation("Peer {EndPoint}: closing the connection: {Reason}", RemoteEndPoint, reason);
            }

            Release(readerIdle: true);
        }

        return ValueTask.CompletedTask;
    }

    private void Release(bool readerIdle)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Dispose();
        // Buffers go back to the pool only when no read or send can still be using them.
        if (_sendLock.Wait(0))
        {
            var send = _send;
            _send = [];
            _sendLock.Release();
            if (send.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(send);
            }
        }

        if (readerIdle)
        {
            var receive = _receive;
            _receive = [];
            _start = _end = 0;
            _messageDeadline.Dispose();
            if (receive.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(receive);
            }
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, IPEndPoint remote, Memory<byte> buffer, CancellationToken token, CancellationToken outer, TimeSpan timeout, string what)
    {
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new PeerUnreachableException(remote, $"the peer closed the connection during {what} ({filled} bytes received)");
                }

                filled += read;
            }
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            throw new PeerTimeoutException(remote, $"{what} did not arrive within {timeout.TotalSeconds:0.#} s ({filled} bytes received)");
        }
        catch (SocketException ex)
        {
            throw new PeerUnreachableException(remote, $"the connection failed: {Describe(ex)}", ex);
        }
    }

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.ConnectionReset => "connection reset by the peer",
        SocketError.TimedOut => "timed out",
        _ => ex.Message,
    };
}
