using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>The torrent's requests: keeping each peer's pipeline full, blocks arriving, rejects, timeouts, endgame cancels.</summary>
public sealed partial class Torrent
{
    private readonly HashSet<PeerState> _needRequests = new();
    private readonly List<BlockRef> _picked = new(256);
    private Func<int, PieceProgress?>? _startPiece;
    private long _downloaded;
    private long _wasted;

    /// <summary>A block arrived (its data already went into its piece on the connection's thread).</summary>
    private void OnBlock(PeerState peer, in IncomingMessage message)
    {
        _downloaded += message.Length;
        var block = new BlockRef(message.Index, message.Begin / ActivePiece.BlockSize);
        var requested = RemoveOutstanding(peer, block);
        if (requested)
        {
            _picker?.Release(block);
        }

        switch (message.Outcome)
        {
            case BlockOutcome.Accepted or BlockOutcome.CompletedPiece:
                peer.LastBlockAt = _time.GetTimestamp();
                peer.Snubbed = false;
                _lastProgressAt = peer.LastBlockAt;
                if (_picker?.GetProgress(block.Piece) is { } progress && progress.RequestCount(block.Block) > 0)
                {
                    CancelElsewhere(block, peer);
                }

                break;
            case BlockOutcome.Duplicate:
                _wasted += message.Length;
                break;
            default:
                _wasted += message.Length;
                if (!requested && ++peer.UnexpectedBlocks > MaxUnexpectedBlocks)
                {
                    peer.Link.Close($"sent over {MaxUnexpectedBlocks} blocks nobody asked for");
                    return;
                }

                break;
        }

        _needRequests.Add(peer);
    }

    /// <summary>Endgame: the block came from one peer; the others asked for it hear a cancel.</summary>
    private void CancelElsewhere(BlockRef block, PeerState except)
    {
        foreach (var other in _peers.Values)
        {
            if (other != except && RemoveOutstanding(other, block))
            {
                _picker!.Release(block);
                other.Link.Enqueue(OutgoingMessage.Cancel(block.Piece, block.Begin, BlockLength(block)));
                _needFlush.Add(other);
                _needRequests.Add(other);
            }
        }
    }

    private void OnReject(PeerState peer, in IncomingMessage message)
    {
        var block = new BlockRef(message.Index, message.Begin / ActivePiece.BlockSize);
        if (!RemoveOutstanding(peer, block))
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

        foreach (var other in _peers.Values)
        {
            _needRequests.Add(other);
        }
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
                peer.Link.Enqueue(OutgoingMessage.Cancel(block.Piece, block.Begin, BlockLength(block)));
            }
        }

        peer.Outstanding.Clear();
        peer.Link.SetExpectedBytes(0);
        if (sendCancels)
        {
            _needFlush.Add(peer);
        }

        foreach (var other in _peers.Values)
        {
            _needRequests.Add(other);
        }
    }

    /// <summary>Tops up a peer's requests to its depth with blocks the picker chooses, in one send.</summary>
    private void FillRequests(PeerState peer)
    {
        if (_state != TorrentState.Downloading || _picker is null || _context is null || _picker.IsComplete || !peer.AmInterested)
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
        _picker.Pick(peer, want, _picked, _startPiece ??= StartPiece);
        if (_picked.Count == 0)
        {
            return;
        }

        foreach (var block in _picked)
        {
            peer.Link.Enqueue(OutgoingMessage.Request(block.Piece, block.Begin, BlockLength(block)));
            peer.Outstanding.Add(block);
        }

        if (peer.Outstanding.Count == _picked.Count)
        {
            // Nothing was outstanding: the wait for these starts now.
            peer.LastBlockAt = _time.GetTimestamp();
        }

        peer.LastSentAt = _time.GetTimestamp();
        // Blocks are 16 KiB, or the whole piece when pieces are smaller: overstating it makes the receive wait for bytes
        // that never come.
        peer.Link.SetExpectedBytes((long)peer.Outstanding.Count * Math.Min(ActivePiece.BlockSize, Info!.PieceLength));
        _needFlush.Add(peer);
    }

    private bool AnyOtherSupplier(PeerState except)
    {
        foreach (var peer in _peers.Values)
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
        var length = Info!.GetPieceLength(index);
        if (_context!.Buffers.BufferedBytes + length > _options.MaxBufferedBytes && _picker!.Active.Count > 0)
        {
            return null;
        }

        return new PieceProgress(_context.Buffers.Start(index), _time.GetTimestamp());
    }

    /// <summary>Peers that deliver none of what they were asked for within the request timeout are snubbed: their requests go to others.</summary>
    private void CheckRequestTimeouts(long now)
    {
        var endgame = _picker?.InEndgame() == true;
        var timeout = endgame ? TimeSpan.FromTicks(Math.Min(_options.RequestTimeout.Ticks, TimeSpan.FromSeconds(5).Ticks)) : _options.RequestTimeout;
        foreach (var peer in _peers.Values)
        {
            if (peer.Outstanding.Count > 0 && _time.GetElapsedTime(peer.LastBlockAt, now) > timeout)
            {
                _logger.LogDebug("{Torrent}: {Peer} delivered nothing for {Timeout}; its {Count} requests go elsewhere", Name, peer, timeout, peer.Outstanding.Count);
                peer.Snubbed = true;
                peer.Depth = RequestDepth.For(0, peer.RequestQueueLimit, snubbed: true);
                ReleaseOutstanding(peer, sendCancels: true);
                peer.LastBlockAt = now;
            }
        }
    }

    private int BlockLength(BlockRef block)
    {
        var pieceLength = (int)Info!.GetPieceLength(block.Piece);
        return Math.Min(ActivePiece.BlockSize, pieceLength - block.Begin);
    }

    private static bool RemoveOutstanding(PeerState peer, BlockRef block)
    {
        // Blocks mostly arrive in the order they were asked for: the search ends at the front.
        var outstanding = peer.Outstanding;
        for (var i = 0; i < outstanding.Count; i++)
        {
            if (outstanding[i] == block)
            {
                outstanding.RemoveAt(i);
                return true;
            }
        }

        return false;
    }
}
