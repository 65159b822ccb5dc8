using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// One connected peer of a torrent: its reading thread (this class's <see cref="Run"/>, on the thread that did the
/// handshake) and its <see cref="SendQueue"/> with the writer thread. The reading thread delivers blocks straight into
/// their pieces (hashing and writing a piece it completes), serves the peer's requests when the loop has unchoked it,
/// and hands every other message to the loop, one batch per receive.
/// </summary>
internal sealed class PeerLink : IPeerLink, IBlockReader
{
    private readonly PeerWire _wire;
    private readonly SendQueue _send;
    private readonly PieceContextHolder _pieces;
    private readonly Func<SwarmEvent, bool> _post;
    private readonly Func<SwarmEvent, bool> _postQuietly;
    private readonly ILogger _logger;
    private readonly int _maxQueuedUploads;
    private long _downloaded;
    private readonly object _expectationLock = new();
    private BlockExpectation _expectation = BlockExpectation.Nothing(0);
    private volatile bool _amChoking = true;

    /// <param name="post">Posts an event to the loop and wakes it.</param>
    /// <param name="postQuietly">Posts an event the loop takes with the next one that wakes it (batches of blocks while enough are still to come).</param>
    public PeerLink(PeerWire wire, int id, PieceContextHolder pieces, Func<SwarmEvent, bool> post, Func<SwarmEvent, bool> postQuietly, ILogger logger, TransferLimits? limits = null, int maxQueuedUploads = UploadQueueLimit)
    {
        _wire = wire;
        Id = id;
        _pieces = pieces;
        _post = post;
        _postQuietly = postQuietly;
        _logger = logger;
        _limits = limits ?? TransferLimits.None;
        _maxQueuedUploads = maxQueuedUploads;
        _send = new SendQueue(wire, this, logger, _limits.LimitsUpload || limits is not null ? _limits.TakeUpload : null)
        {
            Failed = ex => _logger.LogDebug("Peer {EndPoint}: sending failed: {Reason}", EndPoint, ex.Reason),
        };
    }

    private readonly TransferLimits _limits;
    private readonly ManualResetEventSlim _closing = new();

    /// <summary>
    /// Requests a peer may have queued with us (advertised as <c>reqq</c>): uploads cost nothing until they are sent (the
    /// writer reads each block as it goes out), and a fast downloader keeps hundreds in flight.
    /// </summary>
    public const int UploadQueueLimit = 1024;

    /// <summary>
    /// Rejects a BEP 6 peer may have waiting behind a writer it does not let send: beyond them it is asking without
    /// reading our answers, and the connection ends (BEP 6 allows closing instead of rejecting) rather than the queue growing.
    /// </summary>
    public const int WaitingRejectLimit = 4 * UploadQueueLimit;

    public int Id { get; }

    public IPEndPoint EndPoint => _wire.RemoteEndPoint;

    public PeerId PeerId => _wire.RemoteHandshake.PeerId;

    public bool IsOutgoing => _wire.IsOutgoing;

    public bool FastExtension => _wire.FastExtension;

    public bool ExtensionProtocol => _wire.ExtensionProtocol;

    public PeerWire Wire => _wire;

    public long DownloadedBytes => Volatile.Read(ref _downloaded);

    public long UploadedBytes => _send.UploadedBytes;

    public int QueuedUploads => _send.QueuedUploads;

    public bool AmChoking
    {
        get => _amChoking;
        set => _amChoking = value;
    }

    public void Enqueue(in OutgoingMessage message) => _send.Enqueue(message);

    public void Flush() => _send.Flush();

    public List<OutgoingMessage> TakeUploads() => _send.TakeUploads();

    public void Expect(in BlockExpectation expectation)
    {
        lock (_expectationLock)
        {
            _expectation = expectation;
        }
    }

    private BlockExpectation Expectation
    {
        get
        {
            lock (_expectationLock)
            {
                return _expectation;
            }
        }
    }

    public void Close(string reason)
    {
        _closing.Set();
        _wire.Close(reason);
    }

    public void SetPieceCount(int pieceCount) => _wire.SetPieceCount(pieceCount);

    /// <summary>
    /// Runs the connection on the calling thread until it closes: starts the writer, tells the loop the peer is here,
    /// reads, and at the end tells the loop it is gone. Never throws.
    /// </summary>
    public void Run()
    {
        string reason;
        try
        {
            _send.Start();
            if (!_post(new SwarmEvent.PeerConnected(this)))
            {
                // The torrent has ended: nobody would read what this connection says.
                _wire.Close("the torrent has ended");
                reason = "the torrent has ended";
            }
            else
            {
                ReadLoop();
                reason = _wire.CloseReason ?? "closed";
            }
        }
        catch (PeerException ex)
        {
            reason = _wire.CloseReason ?? ex.Reason;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Peer {EndPoint}: the connection failed unexpectedly", EndPoint);
            reason = $"unexpected failure: {ex.Message}";
            _wire.Close(reason);
        }

        _send.Dispose();
        _wire.Dispose();
        _ = _post(new SwarmEvent.PeerClosed(this, reason));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadLoop()
    {
        while (!_wire.IsClosed)
        {
            var batch = PeerMessageBatch.Rent();
            var uploads = false;
            while (_wire.TryReadBuffered(out var message))
            {
                uploads |= Handle(message, batch);
            }

            if (uploads)
            {
                _send.Flush();
            }

            // This thread alone adds to _downloaded: every block of this batch is counted in it.
            var expectation = Expectation;
            if (batch.Count == 0)
            {
                batch.Return();
            }
            else if (!(expectation.LetsLoopSleep(batch, _downloaded) ? _postQuietly : _post)(new SwarmEvent.PeerMessages(this, batch)))
            {
                // The torrent has ended (Post gave the batch back).
                _wire.Close("the torrent has ended");
                return;
            }

            _wire.ExpectBytes(Expectation.Remaining(_downloaded));
            var before = _wire.BytesReceived;
            _wire.Receive();
            if (_limits.LimitsDownload && _limits.TakeDownload((int)(_wire.BytesReceived - before)) is { } wait && wait > TimeSpan.Zero && _closing.Wait(wait))
            {
                return;
            }
        }
    }

    /// <summary>Handles one message on the reading thread; true when an upload was queued.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Handle(in PeerMessage message, PeerMessageBatch batch)
    {
        switch (message.Type)
        {
            case PeerMessageType.KeepAlive:
                return false;
            case PeerMessageType.Piece:
            {
                var outcome = _pieces.Current?.Assembler.Deliver(Id, message.Index, message.Begin, message.Payload.Span) ?? BlockOutcome.Unexpected;
                Interlocked.Add(ref _downloaded, message.Length);
                batch.Add(new IncomingMessage(PeerMessageType.Piece, message.Index, message.Begin, message.Length, Outcome: outcome));
                return false;
            }

            case PeerMessageType.Request:
                return Serve(message.Index, message.Begin, message.Length);
            case PeerMessageType.Cancel:
                // BEP 6: every request gets exactly one answer, a cancelled one too: the block, or a reject when it was still queued.
                if (_send.TryCancelUpload(message.Index, message.Begin, message.Length) && FastExtension)
                {
                    _send.Enqueue(OutgoingMessage.Reject(message.Index, message.Begin, message.Length));
                    return true;
                }

                return false;
            case PeerMessageType.Bitfield or PeerMessageType.Extended:
                batch.Add(new IncomingMessage(message.Type, message.Index, message.Begin, message.Length, message.Payload.ToArray(), message.ExtendedId));
                return false;
            case PeerMessageType.AllowedFast:
                batch.Add(new IncomingMessage(message.Type, message.Index));
                return false;
            default:
                batch.Add(new IncomingMessage(message.Type, message.Index, message.Begin, message.Length));
                return false;
        }
    }

    /// <summary>
    /// A request from the peer: served when we have the piece and have unchoked the peer,
    /// within its queue limit; refused (BEP 6 reject, or silently without it) when choked or over the limit; a request
    /// outside the torrent or for a piece we do not have ends the connection.
    /// </summary>
    private bool Serve(int index, int begin, int length)
    {
        var pieces = _pieces.Current;
        if (pieces is null || (uint)index >= (uint)pieces.Torrent.PieceCount)
        {
            throw _wire.Fail(new PeerProtocolException(EndPoint, $"requested piece {index}, which is not part of the torrent we serve"));
        }

        if ((long)begin + length > pieces.Torrent.GetPieceLength(index))
        {
            throw _wire.Fail(new PeerProtocolException(EndPoint, $"requested {length} bytes at {begin} of piece {index}, past its end"));
        }

        if (!pieces.Verified.Contains(index))
        {
            throw _wire.Fail(new PeerProtocolException(EndPoint, $"requested piece {index}, which we do not have"));
        }

        if (_amChoking || _send.QueuedUploads >= _maxQueuedUploads)
        {
            if (FastExtension)
            {
                if (_send.Waiting >= WaitingRejectLimit)
                {
                    throw _wire.Fail(new PeerProtocolException(EndPoint, $"keeps requesting without reading our answers ({_send.Waiting} messages waiting to be sent)"));
                }

                _send.Enqueue(OutgoingMessage.Reject(index, begin, length));
                return true;
            }

            return false;
        }

        _send.Enqueue(OutgoingMessage.Piece(index, begin, length));
        return true;
    }

    bool IBlockReader.TryReadBlock(int piece, int begin, Span<byte> destination)
    {
        var pieces = _pieces.Current;
        if (pieces is null || !pieces.Verified.Contains(piece))
        {
            return false;
        }

        try
        {
            return pieces.ReadCache is { } cache
                ? cache.TryRead(piece, (int)pieces.Torrent.GetPieceLength(piece), begin, destination, pieces.Storage)
                : pieces.Storage.Read(piece, begin, destination) == destination.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Errors.TorrentPSException)
        {
            _logger.LogWarning("Peer {EndPoint}: reading block {Index}:{Begin} to upload failed: {Reason}", EndPoint, piece, begin, ex.Message);
            return false;
        }
    }

    public override string ToString() => $"{EndPoint} ({PeerClient.FromPeerId(PeerId).DisplayName})";
}
