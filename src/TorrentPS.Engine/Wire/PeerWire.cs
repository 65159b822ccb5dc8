using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// One peer connection after the BEP 3 handshake: framed messages read with blocking receives on the owner's thread
/// (one reader), sends from any thread (serialised), closing from any thread. Decoding allocates nothing: a message's
/// payload points into the receive buffer until the next read. Messages read ahead (while waiting for the extension
/// handshake) are kept and replayed in order, none dropped. Every protocol violation, stall or failure closes the
/// connection with a logged reason and a typed <see cref="PeerException"/>.
/// </summary>
/// <remarks>
/// Deadlines: once a message has started, its rest must arrive within <see cref="HandshakeOptions.MessageTimeout"/>; with
/// nothing started, the peer may stay silent for <see cref="IdleTimeout"/>. While many bytes are expected
/// (<see cref="ExpectBytes"/>), the receive buffer grows to 1 MiB and on Linux <c>SO_RCVLOWAT</c> makes one receive carry
/// hundreds of kilobytes instead of one TCP segment; it returns to its normal size when the flow stops.
/// </remarks>
internal sealed class PeerWire : IDisposable
{
    /// <summary>The receive buffer's normal size.</summary>
    public const int NormalReceiveSize = 32 * 1024;

    /// <summary>The receive buffer's size while a peer sends blocks fast.</summary>
    public const int BulkReceiveSize = 1024 * 1024;

    private const int BulkThreshold = 256 * 1024;
    private const int LowWaterThreshold = 64 * 1024;
    private const int MaxReplayed = 4096;
    private static readonly int LowWaterSliceMs = 200;

    private readonly Socket _socket;

    /// <summary>The socket blocks at the system level, so receives and sends call <c>recv</c> and <c>send</c> directly (see <see cref="BlockingSocket.Receive"/>).</summary>
    private readonly bool _systemBlocking;
    private readonly ILogger _logger;
    private readonly object _sendLock = new();
    private readonly Queue<PeerMessage> _replay = new();
    private byte[] _receive;
    private int _start;
    private int _end;
    private int _consumeOnNextRead;
    private int _lowWater = 1;
    private int _receiveTimeoutMs = -1;
    private long _expected;
    private long _frameStarted;
    private long _lastReceive;
    private long _deadlineOverride;
    private string? _deadlineWhat;
    private int _closed;
    private int _released;
    private long _bytesReceived;

    internal PeerWire(Socket socket, IPEndPoint remote, InfoHash infoHash, HandshakeOptions options, HandshakeMessage remoteHandshake, bool isOutgoing, ILogger logger, byte[] receive, int start, int end)
    {
        _socket = socket;
        _logger = logger;
        _receive = receive;
        _start = start;
        _end = end;
        _bytesReceived = end; // the handshake and whatever came with it were read before this wire took the buffer
        RemoteEndPoint = remote;
        InfoHash = infoHash;
        Options = options;
        RemoteHandshake = remoteHandshake;
        IsOutgoing = isOutgoing;
        LocalReserved = options.ReservedBits;
        Limits = new PeerMessageLimits { PieceCount = options.PieceCount, ExtensionProtocol = ExtensionProtocol, FastExtension = FastExtension };
        _lastReceive = Environment.TickCount64;
        _socket.SendTimeout = (int)Math.Clamp(options.MessageTimeout.TotalMilliseconds * 2, 1, int.MaxValue);
        _systemBlocking = BlockingSocket.TryMakeSystemBlocking(_socket);
    }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The connection's socket, for tests that look at it from the system's side.</summary>
    internal Socket Socket => _socket;

    public InfoHash InfoHash { get; }

    public HandshakeOptions Options { get; }

    /// <summary>We dialled the peer (false: it dialled our listener).</summary>
    public bool IsOutgoing { get; }

    /// <summary>The reserved bits we sent.</summary>
    public ReservedBits LocalReserved { get; }

    /// <summary>The peer's handshake: its reserved bits and peer id.</summary>
    public HandshakeMessage RemoteHandshake { get; }

    /// <summary>The peer's BEP 10 extension handshake, once one was read (it may come late, or never).</summary>
    public ExtensionHandshake? RemoteExtensionHandshake { get; private set; }

    /// <summary>Both sides set the extension-protocol bit.</summary>
    public bool ExtensionProtocol => LocalReserved.SupportsExtensionProtocol && RemoteHandshake.Reserved.SupportsExtensionProtocol;

    /// <summary>Both sides set the fast-extension bit.</summary>
    public bool FastExtension => LocalReserved.SupportsFastExtension && RemoteHandshake.Reserved.SupportsFastExtension;

    /// <summary>What this connection accepts, from the negotiated extensions and the piece count.</summary>
    public PeerMessageLimits Limits { get; private set; }

    /// <summary>How long the handshakes took, from the first byte sent or received.</summary>
    public TimeSpan HandshakeElapsed { get; internal set; }

    /// <summary>The longest the peer may stay silent between messages (keep-alives come every two minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(4);

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Why the connection was closed, once it is.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Bytes read from the socket so far (messages and framing).</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Bytes received but not yet decoded (the part of a message still arriving).</summary>
    public int Buffered => _end - _start - _consumeOnNextRead;

    /// <summary>Tells the wire how many bytes the peer is about to send (blocks requested and not yet received), so it can size its receives.</summary>
    public void ExpectBytes(long bytes) => _expected = Math.Max(0, bytes);

    /// <summary>The piece count, once known (a magnet's metadata arrived): bitfields and indexes are checked against it from now on.</summary>
    public void SetPieceCount(int pieceCount) => Limits = Limits with { PieceCount = pieceCount };

    /// <summary>Reads the next message, blocking until it has arrived. Its payload is valid until the next read.</summary>
    /// <exception cref="PeerProtocolException">The peer broke the protocol; the connection is closed.</exception>
    /// <exception cref="PeerTimeoutException">The peer stalled; the connection is closed.</exception>
    /// <exception cref="PeerUnreachableException">The connection closed or failed.</exception>
    public PeerMessage ReadMessage()
    {
        PeerMessage message;
        while (!TryReadBuffered(out message))
        {
            Receive();
        }

        return message;
    }

    /// <summary>
    /// The next message already received (replayed or buffered), without blocking; false when a receive is needed. Its
    /// payload is valid until the next read.
    /// </summary>
    /// <exception cref="PeerProtocolException">The peer broke the protocol; the connection is closed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadBuffered(out PeerMessage message)
    {
        if (_replay.Count > 0)
        {
            message = _replay.Dequeue();
            return true;
        }

        _start += _consumeOnNextRead;
        _consumeOnNextRead = 0;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        try
        {
            if (!PeerMessageDecoder.TryDecode(_receive.AsMemory(_start, _end - _start), Limits, out message, out var consumed))
            {
                if (_end > _start && _frameStarted == 0)
                {
                    _frameStarted = Environment.TickCount64;
                }

                return false;
            }

            _consumeOnNextRead = consumed;
            _frameStarted = 0;
            if (message.Type == PeerMessageType.Extended && message.ExtendedId == 0)
            {
                NoteExtensionHandshake(message);
            }

            return true;
        }
        catch (PeerProtocolException ex)
        {
            throw Fail(ex.WithEndPoint(RemoteEndPoint));
        }
    }

    /// <summary>
    /// Reads until the peer's extension handshake has arrived, keeping every other message for replay. For tools that
    /// report the extension handshake; the swarm takes it whenever it comes.
    /// </summary>
    /// <exception cref="PeerTimeoutException">It did not arrive within <paramref name="timeout"/>.</exception>
    public void ReadUntilExtensionHandshake(TimeSpan timeout)
    {
        _deadlineOverride = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        _deadlineWhat = "the extension handshake";
        try
        {
            // Messages already replayed stay first; what arrives before the extension handshake follows them.
            var kept = new List<PeerMessage>(_replay);
            _replay.Clear();
            while (RemoteExtensionHandshake is null)
            {
                var message = ReadMessage();
                if (message.Type == PeerMessageType.Extended && message.ExtendedId == 0)
                {
                    break;
                }

                if (kept.Count >= MaxReplayed)
                {
                    throw Fail(new PeerProtocolException(RemoteEndPoint, $"sent over {MaxReplayed} messages before its extension handshake"));
                }

                kept.Add(Own(message));
            }

            foreach (var message in kept)
            {
                _replay.Enqueue(message);
            }
        }
        finally
        {
            _deadlineOverride = 0;
            _deadlineWhat = null;
        }
    }

    /// <summary>Waits for more bytes from the peer (at least one), honouring the deadlines.</summary>
    /// <exception cref="PeerTimeoutException">A deadline passed; the connection is closed.</exception>
    /// <exception cref="PeerUnreachableException">The connection closed or failed.</exception>
    public void Receive()
    {
        if (IsClosed)
        {
            throw new PeerUnreachableException(RemoteEndPoint, $"the connection is closed ({CloseReason})");
        }

        try
        {
            ReceiveCore();
        }
        finally
        {
            // Only the reading owner gets here: once closed, nobody reads the buffer any more.
            if (IsClosed)
            {
                ReleaseBuffers();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReceiveCore()
    {
        PrepareSpace();
        var now = Environment.TickCount64;
        var (deadline, what, limit) = CurrentDeadline();
        var left = deadline - now;
        if (left <= 0)
        {
            throw Fail(TimeoutError(what, limit));
        }

        ConfigureLowWater();
        var timeout = (int)Math.Min(left, _lowWater > 1 ? LowWaterSliceMs : int.MaxValue);
        if (timeout != _receiveTimeoutMs)
        {
            _socket.ReceiveTimeout = timeout;
            _receiveTimeoutMs = timeout;
        }

        int read;
        try
        {
            read = BlockingSocket.Receive(_socket, _receive.AsSpan(_end), _systemBlocking);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock && !IsClosed)
        {
            if (Environment.TickCount64 >= deadline)
            {
                throw Fail(TimeoutError(what, limit));
            }

            // Fewer bytes came than the low-water mark asked for, and none at all in a slice: the flow stopped.
            _lowWater = 1;
            BlockingSocket.TrySetReceiveLowWater(_socket, 1);
            return;
        }
        catch (SocketException ex)
        {
            throw Fail(IsClosed ? ClosedError() : new PeerUnreachableException(RemoteEndPoint, $"the connection failed: {BlockingSocket.Describe(ex)}", ex));
        }
        catch (ObjectDisposedException)
        {
            throw Fail(ClosedError());
        }

        if (read == 0 && IsClosed)
        {
            // Our own shutdown ends the read like an end of stream: say who closed it.
            throw Fail(ClosedError());
        }

        if (read == 0)
        {
            var partial = _end - _start;
            throw Fail(new PeerUnreachableException(RemoteEndPoint, partial == 0 ? "the peer closed the connection" : $"the peer closed the connection in the middle of a message ({partial} bytes of it received)"));
        }

        _end += read;
        _bytesReceived += read;
        _lastReceive = Environment.TickCount64;
    }

    private (long Deadline, string What, TimeSpan Limit) CurrentDeadline()
    {
        if (_deadlineOverride != 0)
        {
            return (_deadlineOverride, _deadlineWhat ?? "a message", Options.HandshakeTimeout);
        }

        if (_end > _start && _frameStarted != 0)
        {
            return (_frameStarted + (long)Options.MessageTimeout.TotalMilliseconds, "a message", Options.MessageTimeout);
        }

        return (_lastReceive + (long)IdleTimeout.TotalMilliseconds, "any message", IdleTimeout);
    }

    /// <summary>Makes room at the end of the receive buffer: compacts, grows for a large frame, and returns to the normal size when the flow stops.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PrepareSpace()
    {
        _start += _consumeOnNextRead;
        _consumeOnNextRead = 0;
        var pending = _end - _start;
        var needed = NormalReceiveSize;
        if (pending >= 5)
        {
            // A started frame needs room for all of it; the header checks already bounded its size.
            try
            {
                needed = Math.Max(needed, PeerMessageDecoder.CheckHeader(_receive.AsSpan(_start, 5), Limits) + 1);
            }
            catch (PeerProtocolException ex)
            {
                throw Fail(ex.WithEndPoint(RemoteEndPoint));
            }
        }

        var target = _expected >= BulkThreshold ? BulkReceiveSize : needed;
        target = Math.Max(target, needed);
        if (_receive.Length < target || (_receive.Length > Math.Max(target, NormalReceiveSize * 2) && pending < NormalReceiveSize))
        {
            var resized = ArrayPool<byte>.Shared.Rent(target);
            _receive.AsSpan(_start, pending).CopyTo(resized);
            ArrayPool<byte>.Shared.Return(_receive);
            _receive = resized;
            _start = 0;
            _end = pending;
            return;
        }

        if (_receive.Length - _end < Math.Min(needed, 16 * 1024 + 64) || _start > _receive.Length / 2)
        {
            _receive.AsSpan(_start, pending).CopyTo(_receive);
            _start = 0;
            _end = pending;
        }
    }

    private void ConfigureLowWater()
    {
        var want = 1;
        if (_expected >= LowWaterThreshold && _deadlineOverride == 0)
        {
            // Half of what is outstanding: the next requests go out while the rest is still arriving.
            var space = _receive.Length - _end;
            want = (int)Math.Clamp(_expected / 2, 1, Math.Min(space, BulkReceiveSize - (64 * 1024)));
        }

        if (want != _lowWater)
        {
            _lowWater = BlockingSocket.TrySetReceiveLowWater(_socket, want) ? want : 1;
        }
    }

    /// <summary>Sends bytes (whole messages), blocking until the socket took them all. Thread-safe.</summary>
    /// <exception cref="PeerTimeoutException">The peer did not read for too long; the connection is closed.</exception>
    /// <exception cref="PeerUnreachableException">The connection closed or failed.</exception>
    public void Send(ReadOnlySpan<byte> data)
    {
        lock (_sendLock)
        {
            if (IsClosed)
            {
                throw ClosedError();
            }

            try
            {
                while (!data.IsEmpty)
                {
                    var sent = BlockingSocket.Send(_socket, data, _systemBlocking);
                    data = data[sent..];
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock && !IsClosed)
            {
                throw Fail(new PeerTimeoutException(RemoteEndPoint, $"the peer read nothing we sent for {BlockingSocket.Seconds(TimeSpan.FromMilliseconds(_socket.SendTimeout))}"));
            }
            catch (SocketException ex)
            {
                throw Fail(IsClosed ? ClosedError() : new PeerUnreachableException(RemoteEndPoint, $"sending failed: {BlockingSocket.Describe(ex)}", ex));
            }
            catch (ObjectDisposedException)
            {
                throw Fail(ClosedError());
            }
        }
    }

    /// <summary>Whether <see cref="SendWithoutWaiting"/> can be used (the socket blocks at the system level: Linux).</summary>
    internal bool CanSendWithoutWaiting => _systemBlocking;

    /// <summary>
    /// Sends as much of <paramref name="data"/> (whole messages) as the socket takes at once, without waiting: the bytes
    /// sent, 0 when its buffer is full. Only when <see cref="CanSendWithoutWaiting"/>. Thread-safe.
    /// </summary>
    /// <exception cref="PeerUnreachableException">The connection closed or failed.</exception>
    internal int SendWithoutWaiting(ReadOnlySpan<byte> data)
    {
        lock (_sendLock)
        {
            if (IsClosed)
            {
                throw ClosedError();
            }

            try
            {
                return BlockingSocket.SendWithoutWaiting(_socket, data);
            }
            catch (SocketException ex)
            {
                throw Fail(IsClosed ? ClosedError() : new PeerUnreachableException(RemoteEndPoint, $"sending failed: {BlockingSocket.Describe(ex)}", ex));
            }
            catch (ObjectDisposedException)
            {
                throw Fail(ClosedError());
            }
        }
    }

    /// <summary>Sends extended message <paramref name="extendedId"/> (the peer's id for the extension; 0 the extension handshake) with a bencoded body. Thread-safe.</summary>
    public void SendExtended(byte extendedId, ReadOnlySpan<byte> body)
    {
        var frame = ArrayPool<byte>.Shared.Rent(PeerMessageEncoder.ExtendedHeaderSize + body.Length);
        try
        {
            Send(frame.AsSpan(0, PeerMessageEncoder.WriteExtended(frame, extendedId, body)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Closes the connection (any thread); a read or send in progress fails at once. The buffers stay with the reader until it stops.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        _logger.LogDebug("Peer {EndPoint}: closing: {Reason}", RemoteEndPoint, reason);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }

    /// <summary>Closes the connection and returns its buffers. Only the reading owner calls it, once it reads no more.</summary>
    public void Dispose()
    {
        Close("disposed");
        ReleaseBuffers();
    }

    /// <summary>Closes after <paramref name="error"/>, logging why, and returns it to throw.</summary>
    internal PeerException Fail(PeerException error)
    {
        if (!IsClosed)
        {
            // A peer breaking the protocol is worth a line by default; a peer going away is ordinary (-Debug).
            _logger.Log(error is PeerProtocolException ? LogLevel.Information : LogLevel.Debug, "Peer {EndPoint}: closing the connection: {Reason}", RemoteEndPoint, error.Reason);
            Close(error.Reason);
        }

        return error;
    }

    private PeerUnreachableException ClosedError() => new(RemoteEndPoint, $"the connection was closed ({CloseReason ?? "closed"})");

    private PeerTimeoutException TimeoutError(string what, TimeSpan limit)
        => new(RemoteEndPoint, $"{what} did not arrive within {BlockingSocket.Seconds(limit)} ({_end - _start} bytes received, {BytesReceived} on this connection in all)");

    private void NoteExtensionHandshake(in PeerMessage message)
    {
        try
        {
            RemoteExtensionHandshake = ExtensionHandshake.Decode(message.Payload);
        }
        catch (PeerProtocolException ex)
        {
            throw Fail(ex.WithEndPoint(RemoteEndPoint));
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var handshake = RemoteExtensionHandshake;
            _logger.LogDebug("Peer {EndPoint}: extension handshake: v={Version} reqq={Reqq} metadata_size={MetadataSize} m={Extensions}", RemoteEndPoint, handshake.ClientVersion, handshake.RequestQueueLimit, handshake.MetadataSize, string.Join(",", handshake.Extensions.Select(e => $"{e.Key}:{e.Value}")));
        }
    }

    private static PeerMessage Own(in PeerMessage message)
        => message.Payload.IsEmpty ? message : new PeerMessage(message.Type, message.Index, message.Begin, message.Length, message.Payload.ToArray(), message.ExtendedId, message.Port);

    private void ReleaseBuffers()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        var receive = _receive;
        _receive = [];
        _start = _end = _consumeOnNextRead = 0;
        if (receive.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(receive);
        }
    }
}
