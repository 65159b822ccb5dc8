using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Keeps every useful peer's request pipeline full: how deep (from its rate and its <c>reqq</c>), which blocks (the
/// <see cref="PiecePicker"/>'s choice), and what happens to a request that ends without its block (a choke, a reject,
/// a timeout that snubs the peer, the peer leaving: the block goes back to the pool); endgame copies are cancelled
/// when the first arrives. Pipelines are topped up once per batch of events, for the peers whose state changed; a peer
/// left short because the pieces in progress hold all the memory allowed is topped up when a piece is verified.
/// A block counts as progress only when we asked that peer for it; one we stopped waiting for (cancelled, or dropped
/// by a choke) may still come and is a late copy, never a block nobody asked for.
/// Owned by the loop; it writes the requests half of <see cref="PeerState"/>.
/// </summary>
internal sealed class RequestScheduler
{
    /// <summary>Blocks nobody asked for that a peer may send before it is dropped.</summary>
    public const int MaxUnexpectedBlocks = 256;

    /// <summary>In endgame a peer that delivers nothing for this long (or the request timeout, if shorter) loses its requests.</summary>
    public static readonly TimeSpan EndgameTimeout = TimeSpan.FromSeconds(5);

    private readonly HashSet<PeerState> _needRequests = new();
    private readonly List<BlockRef> _picked = new(256);
    private readonly List<BlockRef> _removed = new(64);
    private readonly IConnectedPeers _peers;
    private readonly PeerOutbox _outbox;
    private readonly ProgressWatchdog _watchdog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly TimeSpan _requestTimeout;
    private readonly long _maxBufferedBytes;
    private readonly Func<int, PieceProgress?> _startPiece;
    private PiecePicker? _picker;
    private PieceContext? _context;
    private long _downloaded;

    /// <summary>A pipeline was left short because no piece could start within the memory allowed.</summary>
    private bool _shortOfMemory;

    /// <summary>When <see cref="Tick"/> last ran, or the requests began (0: neither).</summary>
    private long _lastTick;

    public RequestScheduler(IConnectedPeers peers, PeerOutbox outbox, ProgressWatchdog watchdog, TimeSpan requestTimeout, long maxBufferedBytes, TimeProvider time, ILogger logger, string name)
    {
        _peers = peers;
        _outbox = outbox;
        _watchdog = watchdog;
        _requestTimeout = requestTimeout;
        _maxBufferedBytes = maxBufferedBytes;
        _time = time;
        _logger = logger;
        _name = name;
        _startPiece = StartPiece;
    }

    /// <summary>Block bytes received in this run (duplicates and unrequested ones included). Read whole from any thread.</summary>
    public long Downloaded => Volatile.Read(ref _downloaded);

    /// <summary>Block bytes received that were of no use (duplicates, unrequested).</summary>
    public long Wasted { get; private set; }

    private TorrentInfo Info => _context!.Torrent;

    /// <summary>The pieces became known: requests can be made from now on.</summary>
    public void Begin(PiecePicker picker, PieceContext context)
    {
        _picker = picker;
        _context = context;
        _lastTick = _time.GetTimestamp();
    }

    /// <summary>The peer's pipeline is topped up after this batch.</summary>
    public void Wake(PeerState peer) => _needRequests.Add(peer);

    /// <summary>Every pipeline is topped up after this batch (blocks went back to the pool).</summary>
    public void WakeAll()
    {
        foreach (var peer in _peers.Connected)
        {
            _needRequests.Add(peer);
        }
    }

    /// <summary>After a batch of events: the pipelines that changed are topped up (only while downloading).</summary>
    public void FillPending(bool downloading)
    {
        if (_needRequests.Count == 0)
        {
            return;
        }

        if (downloading)
        {
            foreach (var peer in _needRequests)
            {
                Fill(peer);
            }
        }

        _needRequests.Clear();
    }

    /// <summary>
    /// A block arrived (its data already went into its piece on the connection's thread). Only a block asked of this
    /// peer is progress (the watchdog, the peer's last delivery, un-snubbing); one it sent after we cancelled it is a
    /// duplicate; any other block is one nobody asked for, and a flood of those ends the connection. False when the
    /// peer was dropped for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool OnBlock(PeerState peer, in IncomingMessage message)
    {
        Volatile.Write(ref _downloaded, _downloaded + message.Length);
        peer.BlockBytesTaken += message.Length;
        var block = new BlockRef(message.Index, message.Begin / ActivePiece.BlockSize);
        var aligned = message.Begin % ActivePiece.BlockSize == 0;
        var requested = aligned && peer.Outstanding.Remove(block);
        if (requested)
        {
            _picker?.Release(block);
        }

        var asked = requested || (aligned && peer.Cancelled.Remove(block));
        switch (message.Outcome)
        {
            case BlockOutcome.Accepted or BlockOutcome.CompletedPiece:
                if (asked)
                {
                    peer.LastBlockAt = _time.GetTimestamp();
                    peer.Snubbed = false;
                    _watchdog.Progressed(peer.LastBlockAt);
                }

                if (requested)
                {
                    peer.DeliveredSinceTick += message.Length;
                    peer.Depth = RequestDepth.Grow(peer.Depth, peer.RequestQueueLimit);
                }

                if (_picker?.GetProgress(block.Piece) is { } progress && progress.RequestCount(block.Block) > 0)
                {
                    CancelElsewhere(block, peer);
                }

                break;
            default:
                Wasted += message.Length;
                break;
        }

        if (!asked && ++peer.UnexpectedBlocks > MaxUnexpectedBlocks)
        {
            peer.Link.Close($"sent over {MaxUnexpectedBlocks} blocks nobody asked for");
            return false;
        }

        _needRequests.Add(peer);
        return true;
    }

    /// <summary>The peer choked us: without BEP 6 every request is dropped; with it, the peer still serves or rejects each one.</summary>
    public void OnChoke(PeerState peer)
    {
        peer.PeerChoking = true;
        if (!peer.Link.FastExtension)
        {
            ReleaseOutstanding(peer, sendCancels: false);
        }
    }

    public void OnUnchoke(PeerState peer)
    {
        peer.PeerChoking = false;
        _needRequests.Add(peer);
    }

    /// <summary>BEP 6 allowed fast: a piece we may request while choked (bounded per peer, inside the torrent).</summary>
    public void OnAllowedFast(PeerState peer, int index)
    {
        if (peer.AllowedFast.Count < 64 && (_picker is null || index < _picker.PieceCount))
        {
            peer.AllowedFast.Add(index);
            _needRequests.Add(peer);
        }
    }

    public void OnReject(PeerState peer, in IncomingMessage message)
    {
        var block = new BlockRef(message.Index, message.Begin / ActivePiece.BlockSize);
        if (message.Begin % ActivePiece.BlockSize != 0)
        {
            return;
        }

        // A cancelled request's reject is its last word: no late copy follows.
        peer.Cancelled.Remove(block);
        if (!peer.Outstanding.Remove(block))
        {
            return;
        }

        _picker?.Release(block);
        if (!peer.PeerChoking)
        {
            // Rejected while unchoked: its queue is shorter than we thought.
            peer.RequestQueueLimit = Math.Max(1, peer.Outstanding.Count);
            peer.Depth = Math.Min(peer.Depth, peer.RequestQueueLimit.Value);
        }

        WakeAll();
    }

    /// <summary>
    /// A piece was verified: endgame copies still requested elsewhere are cancelled, and pipelines left short for lack
    /// of memory are topped up (the piece's buffer is free again).
    /// </summary>
    public void OnPieceVerified(int index)
    {
        CancelPiece(index, topUp: true);
        if (_shortOfMemory)
        {
            _shortOfMemory = false;
            WakeAll();
        }
    }

    /// <summary>
    /// A piece in progress is no longer wanted (the picker dropped it): every request for it is cancelled, and the
    /// peers that had them are topped up with something else (the piece's memory is free again).
    /// </summary>
    public void DropPiece(int index)
    {
        CancelPiece(index, topUp: false);
        WakeAll();
    }

    /// <summary>The requests the peers that serve us may have outstanding in all (the sum of their depths): what the sequential window must cover.</summary>
    public int RequestSlots()
    {
        var slots = 0;
        foreach (var peer in _peers.Connected)
        {
            if (peer.AmInterested && !peer.PeerChoking && !peer.Snubbed)
            {
                slots += peer.Depth;
            }
        }

        return slots;
    }

    /// <summary>The peer left: its requests go back to the pool and to the others.</summary>
    public void PeerGone(PeerState peer)
    {
        foreach (var block in peer.Outstanding)
        {
            _picker?.Release(block);
        }

        if (peer.Outstanding.Count > 0)
        {
            WakeAll();
        }

        peer.Outstanding.Clear();
        _needRequests.Remove(peer);
    }

    /// <summary>
    /// The clock: each peer's depth follows its rate; while downloading, peers that delivered none of what they were
    /// asked for within the request timeout are snubbed and their requests go to others.
    /// </summary>
    public void Tick(long now, bool downloading)
    {
        var sinceLastTick = _lastTick == 0 ? 0 : _time.GetElapsedTime(_lastTick, now).TotalSeconds;
        _lastTick = now;
        foreach (var peer in _peers.Connected)
        {
            // The rate meter averages over seconds and lags a peer that just began: what it delivered since the last
            // tick counts too, so a peer that grew its pipeline by delivering is not cut back while the meter warms up.
            var rate = peer.DownloadRate.BytesPerSecond;
            if (sinceLastTick > 0)
            {
                rate = Math.Max(rate, peer.DeliveredSinceTick / sinceLastTick);
            }

            peer.DeliveredSinceTick = 0;
            var depth = RequestDepth.For(rate, peer.RequestQueueLimit, peer.Snubbed);
            if (depth > peer.Depth)
            {
                _needRequests.Add(peer);
            }

            peer.Depth = depth;
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            foreach (var peer in _peers.Connected)
            {
                _logger.LogTrace("{Torrent}: {Peer} {Rate:0.0} MB/s, depth {Depth}, {Outstanding} outstanding, {Active} pieces active ({Buffered} bytes), choking us {Choking}", _name, peer, peer.DownloadRate.BytesPerSecond / 1e6, peer.Depth, peer.Outstanding.Count, _picker?.Active.Count, _context?.Assembler.BufferedBytes, peer.PeerChoking);
            }
        }

        if (downloading)
        {
            CheckTimeouts(now);
        }
    }

    private void CheckTimeouts(long now)
    {
        var timeout = _picker?.InEndgame() == true && EndgameTimeout < _requestTimeout ? EndgameTimeout : _requestTimeout;
        foreach (var peer in _peers.Connected)
        {
            if (peer.Outstanding.Count > 0 && _time.GetElapsedTime(peer.LastBlockAt, now) > timeout)
            {
                _logger.LogDebug("{Torrent}: {Peer} delivered nothing for {Timeout:0.#} s; its {Count} requests go elsewhere", _name, peer, timeout.TotalSeconds, peer.Outstanding.Count);
                peer.Snubbed = true;
                peer.Depth = RequestDepth.For(0, peer.RequestQueueLimit, snubbed: true);
                ReleaseOutstanding(peer, sendCancels: true);
                peer.LastBlockAt = now;
            }
        }
    }

    /// <summary>Endgame: the block came from one peer; the others asked for it hear a cancel.</summary>
    private void CancelElsewhere(BlockRef block, PeerState except)
    {
        foreach (var other in _peers.Connected)
        {
            if (other != except && other.Outstanding.Remove(block))
            {
                _picker!.Release(block);
                Cancel(other, block);
                _needRequests.Add(other);
            }
        }
    }

    /// <summary>Cancels every request still outstanding for piece <paramref name="index"/>; with <paramref name="topUp"/> the peers that had one are topped up.</summary>
    private void CancelPiece(int index, bool topUp)
    {
        foreach (var peer in _peers.Connected)
        {
            _removed.Clear();
            peer.Outstanding.RemovePiece(index, _removed);
            foreach (var block in _removed)
            {
                Cancel(peer, block);
            }

            if (topUp && _removed.Count > 0)
            {
                _needRequests.Add(peer);
            }
        }

        _removed.Clear();
    }

    /// <summary>Tells the peer we no longer want a block it was asked for; a copy it already sent will be a duplicate.</summary>
    private void Cancel(PeerState peer, BlockRef block)
    {
        _outbox.Send(peer, OutgoingMessage.Cancel(block.Piece, block.Begin, BlockLength(block)));
        peer.Cancelled.Add(block);
    }

    /// <summary>Gives back every request outstanding with a peer (it choked us, or stopped delivering).</summary>
    private void ReleaseOutstanding(PeerState peer, bool sendCancels)
    {
        if (peer.Outstanding.Count == 0)
        {
            return;
        }

        foreach (var block in peer.Outstanding)
        {
            _picker?.Release(block);
            if (sendCancels)
            {
                Cancel(peer, block);
            }
            else
            {
                // Dropped by a choke: what the peer sent before it may still be on its way.
                peer.Cancelled.Add(block);
            }
        }

        peer.Outstanding.Clear();
        peer.Link.Expect(BlockExpectation.Nothing(peer.BlockBytesTaken));
        WakeAll();
    }

    /// <summary>Tops up a peer's requests to its depth with blocks the picker chooses, in one send.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill(PeerState peer)
    {
        if (_picker is null || _picker.IsComplete || !peer.AmInterested)
        {
            return;
        }

        if (peer.PeerChoking && peer.AllowedFast.Count == 0)
        {
            return;
        }

        var want = peer.Depth - peer.Outstanding.Count;
        if (want <= 0 || (peer.Snubbed && AnyOtherSupplier(peer)))
        {
            // A snubbed peer is asked for nothing while another peer can serve us.
            return;
        }

        _picked.Clear();
        _picker.Pick(peer, want, _picked, _startPiece);
        if (_picked.Count == 0)
        {
            return;
        }

        foreach (var block in _picked)
        {
            _outbox.Send(peer, OutgoingMessage.Request(block.Piece, block.Begin, BlockLength(block)));
            peer.Outstanding.Add(block);
        }

        var now = _time.GetTimestamp();
        if (peer.Outstanding.Count == _picked.Count)
        {
            // Nothing was outstanding: the wait for these starts now.
            peer.LastBlockAt = now;
        }

        peer.LastSentAt = now;
        peer.Link.Expect(ExpectationOf(peer, full: _picked.Count == want));
    }

    /// <summary>
    /// What the peer's connection is told after a top-up. A full pipeline may drain by half before the loop takes in its
    /// blocks (one wake-up per half pipeline rather than per receive); a peer left short (the picker found too little,
    /// or memory was short) and every peer in the endgame, where a block's copies elsewhere are cancelled as it comes,
    /// wake the loop with every batch.
    /// </summary>
    private BlockExpectation ExpectationOf(PeerState peer, bool full)
    {
        // Blocks are 16 KiB, or the whole piece when pieces are smaller; only the torrent's last block may be shorter, so
        // the bytes are overstated by less than a block, which the mark allows for.
        var blockLength = Math.Min(ActivePiece.BlockSize, Info.PieceLength);
        var bytes = (long)peer.Outstanding.Count * blockLength;
        var wakeBelow = full && !_picker!.InEndgame() ? bytes / 2 + blockLength : long.MaxValue;
        return new BlockExpectation(bytes, peer.BlockBytesTaken, wakeBelow);
    }

    private bool AnyOtherSupplier(PeerState except)
    {
        foreach (var peer in _peers.Connected)
        {
            if (peer != except && !peer.Snubbed && !peer.PeerChoking && peer.AmInterested)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts a new piece, unless the pieces in progress already hold as much memory as allowed.</summary>
    private PieceProgress? StartPiece(int index)
    {
        var length = Info.GetPieceLength(index);
        if (_context!.Assembler.BufferedBytes + length > _maxBufferedBytes && _picker!.Active.Count > 0)
        {
            // The peer waits for a piece to be verified (OnPieceVerified tops it up) rather than share others' blocks.
            _shortOfMemory = true;
            return null;
        }

        return new PieceProgress(_context.Assembler.Start(index), _time.GetTimestamp());
    }

    private int BlockLength(BlockRef block)
        => Math.Min(ActivePiece.BlockSize, (int)Info.GetPieceLength(block.Piece) - block.Begin);
}
