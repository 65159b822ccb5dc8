using System.Buffers;
using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The outgoing side of one connection. Anyone enqueues (the torrent's loop its requests and control messages, the
/// connection's reading thread the blocks it agreed to upload); one writer thread of the connection's own drains
/// everything queued into one pooled buffer and sends it in one write: a batch of requests, or a piece header with its
/// block read straight from storage, goes out together. A peer that does not read blocks only this writer (the send
/// times out and the connection closes). Every kind of message is bounded, not only block uploads (which the reading
/// thread bounds): an extended message whose body (the same array) is already waiting is not queued again (a shared body
/// is a cached answer, such as a ut_metadata piece: a second copy tells the peer nothing new), and beyond
/// <see cref="MaxWaitingMessages"/> messages or <see cref="MaxWaitingBytes"/> bytes of bodies waiting the peer is not
/// reading what we send: the connection closes rather than the queue growing. The writer thread (and its buffer)
/// exists only while there is something to send: it ends after <see cref="WriterIdleExit"/> with nothing queued and the
/// next flush starts a new one, so a session of many quiet connections holds one thread per connection (its reader), not
/// two.
/// One shortcut: when the writer sleeps (or none is alive) with nothing in hand and only small messages are queued (a batch of requests),
/// <see cref="Flush"/> sends them itself, without waiting for room in the socket's buffer, instead of waking the writer
/// (a download's loop wakes no second thread per receive); what the socket does not take at once goes to the writer,
/// ahead of everything queued later. Either way one thread at a time sends, in queue order.
/// </summary>
internal sealed class SendQueue : IDisposable
{
    private const int BufferSize = 256 * 1024;

    /// <summary>How long a writer thread with nothing to send waits before it ends.</summary>
    public static readonly TimeSpan WriterIdleExit = TimeSpan.FromSeconds(5);

    /// <summary>The most bytes <see cref="Flush"/> sends itself (256 requests take 4,352).</summary>
    private const int InlineLimit = 8 * 1024;

    /// <summary>Messages waiting at most (well above the rejects a BEP 6 peer may have waiting, which the reading thread bounds lower).</summary>
    public const int MaxWaitingMessages = 16 * 1024;

    /// <summary>Bytes of message bodies (extended messages, bitfields) waiting at most.</summary>
    public const int MaxWaitingBytes = 4 * 1024 * 1024;

    private readonly PeerWire _wire;
    private readonly IBlockReader? _blocks;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly ManualResetEventSlim _closedSignal = new();
    private List<OutgoingMessage> _pending = new(64);
    private List<OutgoingMessage> _writing = new(64);
    private List<OutgoingMessage> _inline = new(64);
    private readonly HashSet<byte[]> _waitingBodies = new(ReferenceEqualityComparer.Instance);
    private long _waitingBytes;
    private bool _closed;
    private bool _writerWaiting;

    /// <summary>A <see cref="Flush"/> is sending what it took: the writer waits.</summary>
    private bool _inlineSending;

    /// <summary>Bytes such a flush could not send at once: the writer sends them before anything else.</summary>
    private byte[]? _carry;
    private int _inlineWhole;
    private int _inlinePartly;
    private int _queuedUploads;
    private long _uploadedBytes;
    private readonly TimeSpan _idleExit;
    private bool _started;
    private bool _writerRunning;
    private int _writersStarted;

    public SendQueue(PeerWire wire, IBlockReader? blocks, ILogger logger, Func<int, TimeSpan>? uploadPace = null, TimeSpan? writerIdleExit = null)
    {
        _idleExit = writerIdleExit ?? WriterIdleExit;
        _wire = wire;
        _blocks = blocks;
        _logger = logger;
        _uploadPace = uploadPace;
    }

    private readonly Func<int, TimeSpan>? _uploadPace;

    /// <summary>Called on the writer thread when a send fails (the connection is closed by then).</summary>
    public Action<PeerException>? Failed { get; set; }

    /// <summary>Block uploads waiting to be sent.</summary>
    public int QueuedUploads => Volatile.Read(ref _queuedUploads);

    /// <summary>Messages queued and not yet taken by the writer (it takes them all at once when it is free).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Flushes that sent their messages themselves, and those of them the socket took only in part (for tests).</summary>
    internal (int Whole, int Partly) InlineFlushes => (Volatile.Read(ref _inlineWhole), Volatile.Read(ref _inlinePartly));

    /// <summary>Block bytes uploaded so far (payload only).</summary>
    public long UploadedBytes => Volatile.Read(ref _uploadedBytes);

    /// <summary>Writer threads started so far (one per busy spell of the connection).</summary>
    public int WritersStarted => Volatile.Read(ref _writersStarted);

    /// <summary>Whether a writer thread is alive now.</summary>
    public bool WriterRunning
    {
        get
        {
            lock (_lock)
            {
                return _writerRunning;
            }
        }
    }

    /// <summary>Lets the queue send: a writer thread starts now if something is queued, else at the first flush that has something.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _started = true;
            StartWriterLocked();
        }
    }

    /// <summary>
    /// Queues a message; it goes out at the next <see cref="Flush"/>. An extended message whose body is already waiting is
    /// dropped; past the bounds the connection closes (and the message is dropped).
    /// </summary>
    public void Enqueue(in OutgoingMessage message)
    {
        string? overflow = null;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            if (message.Payload is { } body)
            {
                if (message.Type == PeerMessageType.Extended && !_waitingBodies.Add(body))
                {
                    return;
                }

                _waitingBytes += body.Length;
            }

            if (_pending.Count >= MaxWaitingMessages || _waitingBytes > MaxWaitingBytes)
            {
                overflow = $"does not read what we send ({_pending.Count} messages, {_waitingBytes} bytes of them waiting)";
                _closed = true;
                _pending.Clear();
                _waitingBodies.Clear();
                _waitingBytes = 0;
                Interlocked.Exchange(ref _queuedUploads, 0);
                Monitor.PulseAll(_lock);
            }
            else
            {
                _pending.Add(message);
                if (message.Type == PeerMessageType.Piece)
                {
                    Interlocked.Increment(ref _queuedUploads);
                }
            }
        }

        if (overflow is not null)
        {
            _closedSignal.Set();
            _wire.Close(overflow);
        }
    }

    /// <summary>
    /// Sends what is queued: small messages at once on the calling thread when the writer is idle (the socket's buffer
    /// permitting), else by waking the writer (starting one when none is alive).
    /// </summary>
    public void Flush()
    {
        List<OutgoingMessage> batch;
        lock (_lock)
        {
            if (_pending.Count == 0 || _closed)
            {
                return;
            }

            var writerIdle = _writerWaiting || !_writerRunning;
            if (!_started || !writerIdle || _inlineSending || _carry is not null || !_wire.CanSendWithoutWaiting || !FitsInline(_pending))
            {
                if (!_inlineSending)
                {
                    WakeWriterLocked();
                }

                return;
            }

            // The writer sleeps (or none is alive) with nothing in hand, so everything queued before these went out: sending them here keeps the order.
            _inlineSending = true;
            (_pending, _inline) = (_inline, _pending);
            _waitingBodies.Clear();
            _waitingBytes = 0;
            batch = _inline;
        }

        byte[]? carry = null;
        try
        {
            carry = SendInline(batch);
        }
        catch (PeerException ex)
        {
            Failed?.Invoke(ex);
        }
        finally
        {
            batch.Clear();
            lock (_lock)
            {
                _inlineSending = false;
                _carry = carry;
                if (_pending.Count > 0 || _carry is not null)
                {
                    WakeWriterLocked();
                }
            }
        }
    }

    private static bool FitsInline(List<OutgoingMessage> messages)
    {
        var size = 0;
        foreach (var message in messages)
        {
            if (message.Type == PeerMessageType.Piece)
            {
                return false;
            }

            size += message.WireSize;
            if (size > InlineLimit)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sends small messages without waiting; returns what the socket did not take (null: all went).</summary>
    private byte[]? SendInline(List<OutgoingMessage> batch)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InlineLimit);
        try
        {
            var used = 0;
            foreach (var message in batch)
            {
                used += message.WriteTo(buffer.AsSpan(used));
            }

            var sent = _wire.SendWithoutWaiting(buffer.AsSpan(0, used));
            if (sent == used)
            {
                Interlocked.Increment(ref _inlineWhole);
                return null;
            }

            Interlocked.Increment(ref _inlinePartly);
            return buffer.AsSpan(sent, used - sent).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Queues a message and wakes the writer.</summary>
    public void Send(in OutgoingMessage message)
    {
        Enqueue(message);
        Flush();
    }

    /// <summary>Takes back a queued upload the peer cancelled; false when it is already on its way.</summary>
    public bool TryCancelUpload(int index, int begin, int length)
    {
        lock (_lock)
        {
            for (var i = 0; i < _pending.Count; i++)
            {
                var m = _pending[i];
                if (m.Type == PeerMessageType.Piece && m.Index == index && m.Begin == begin && m.Length == length)
                {
                    _pending.RemoveAt(i);
                    Interlocked.Decrement(ref _queuedUploads);
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Takes back every queued upload (we choked the peer); returns them so the caller can reject them (BEP 6).</summary>
    public List<OutgoingMessage> TakeUploads()
    {
        var taken = new List<OutgoingMessage>();
        lock (_lock)
        {
            _pending.RemoveAll(m =>
            {
                if (m.Type != PeerMessageType.Piece)
                {
                    return false;
                }

                taken.Add(m);
                return true;
            });
            Interlocked.Add(ref _queuedUploads, -taken.Count);
        }

        return taken;
    }

    public void Dispose()
    {
        _closedSignal.Set();
        lock (_lock)
        {
            _closed = true;
            _pending.Clear();
            _waitingBodies.Clear();
            _waitingBytes = 0;
            Interlocked.Exchange(ref _queuedUploads, 0);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Wakes the sleeping writer, or starts one when none is alive (under the lock).</summary>
    private void WakeWriterLocked()
    {
        if (_writerWaiting)
        {
            Monitor.Pulse(_lock);
        }
        else
        {
            StartWriterLocked();
        }
    }

    /// <summary>Starts a writer thread when the queue may send, something is queued and none is alive (under the lock).</summary>
    private void StartWriterLocked()
    {
        if (!_started || _writerRunning || _closed || (_pending.Count == 0 && _carry is null))
        {
            return;
        }

        _writerRunning = true;
        Interlocked.Increment(ref _writersStarted);
        ConnectionThread.Start($"TorrentPS writer {_wire.RemoteEndPoint}", WriterLoop);
    }

    private void WriterLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var ended = false;
        try
        {
            while (true)
            {
                byte[]? carry;
                lock (_lock)
                {
                    while (((_pending.Count == 0 && _carry is null) || _inlineSending) && !_closed)
                    {
                        _writerWaiting = true;
                        var woken = Monitor.Wait(_lock, _idleExit);
                        _writerWaiting = false;
                        if (!woken && _pending.Count == 0 && _carry is null && !_inlineSending)
                        {
                            // Nothing to send for a while: this thread ends; the next flush starts another.
                            _writerRunning = false;
                            ended = true;
                            return;
                        }
                    }

                    if (_closed)
                    {
                        return;
                    }

                    carry = _carry;
                    _carry = null;
                    (_pending, _writing) = (_writing, _pending);
                    _waitingBodies.Clear();
                    _waitingBytes = 0;
                }

                if (carry is not null)
                {
                    // The rest of what a flush sent itself: it goes before everything queued after it.
                    _wire.Send(carry);
                }

                var used = 0;
                var uploads = 0;
                foreach (var message in _writing)
                {
                    var size = message.WireSize;
                    if (used + size > buffer.Length && used > 0)
                    {
                        _wire.Send(buffer.AsSpan(0, used));
                        used = 0;
                    }

                    if (size > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(size);
                    }

                    if (message.Type == PeerMessageType.Piece)
                    {
                        uploads++;
                        var header = message.WriteTo(buffer.AsSpan(used));
                        if (_blocks is null || !_blocks.TryReadBlock(message.Index, message.Begin, buffer.AsSpan(used + header, message.Length)))
                        {
                            _logger.LogDebug("Peer {EndPoint}: block {Index}:{Begin} could not be read; not sent", _wire.RemoteEndPoint, message.Index, message.Begin);
                            continue;
                        }

                        used += header + message.Length;
                        Interlocked.Add(ref _uploadedBytes, message.Length);
                        if (_uploadPace?.Invoke(message.Length) is { } wait && wait > TimeSpan.Zero)
                        {
                            // Over the upload limit: send what is ready, then wait (woken early when the queue closes).
                            _wire.Send(buffer.AsSpan(0, used));
                            used = 0;
                            if (_closedSignal.Wait(wait))
                            {
                                return;
                            }
                        }
                    }
                    else
                    {
                        used += message.WriteTo(buffer.AsSpan(used));
                    }
                }

                if (used > 0)
                {
                    _wire.Send(buffer.AsSpan(0, used));
                }

                _writing.Clear();
                if (uploads > 0)
                {
                    Interlocked.Add(ref _queuedUploads, -uploads);
                }

                if (buffer.Length > BufferSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }
            }
        }
        catch (PeerException ex)
        {
            Failed?.Invoke(ex);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Peer {EndPoint}: the writer failed", _wire.RemoteEndPoint);
            _wire.Close($"the writer failed: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!ended)
            {
                // Closed, or a send failed (the connection is closing): no writer runs again.
                lock (_lock)
                {
                    _writerRunning = false;
                    _closed = true;
                }
            }
        }
    }
}
