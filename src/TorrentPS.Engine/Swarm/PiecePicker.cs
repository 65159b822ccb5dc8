using TorrentPS.Engine.Metainfo;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Which blocks to ask a peer for. Pieces already started come first (whole pieces are finished before new ones
/// start), oldest first; then a new piece: a random one while we have fewer than <see cref="RandomFirstPieces"/> (so a
/// newcomer soon has something to trade), else the rarest among the peer's, ties taken in order from where the last
/// pick stopped (sequential writes when everybody has everything). Endgame, and only then (every missing piece is in
/// progress and none has a block nobody was asked for): a peer with nothing outstanding is asked for one block already
/// requested of another (at most <see cref="MaxRequestsPerBlock"/> requests per block; the first copy to arrive wins,
/// the other is cancelled), the one asked for last, which waits longest in the other peer's queue. One at a time, as
/// libtorrent does: copies often cross their cancels on a fast link, and each is a block downloaded twice.
/// A peer that gets nothing because no new piece fits in memory waits; it does not take copies of others' blocks.
/// Owned by the loop.
/// </summary>
public sealed class PiecePicker
{
    public const int RandomFirstPieces = 4;
    public const int MaxRequestsPerBlock = 2;

    private readonly Bitfield _have;
    private readonly Bitfield _wanted;
    private readonly int[] _availability;
    private readonly Dictionary<int, PieceProgress> _active = new();
    private readonly List<PieceProgress> _activeOrder = new();
    private readonly Random _random;
    private int _seeds;
    private int _missing;
    private int _cursor;

    /// <param name="have">Pieces verified (the picker's own copy is kept in step by <see cref="MarkVerified"/>).</param>
    /// <param name="wanted">Pieces to download; null for all.</param>
    public PiecePicker(Bitfield have, Bitfield? wanted = null, Random? random = null)
    {
        PieceCount = have.Length;
        _have = have.Clone();
        _wanted = wanted?.Clone() ?? AllPieces(PieceCount);
        if (_wanted.Length != PieceCount)
        {
            throw new ArgumentException("The wanted pieces and the pieces we have describe different torrents.", nameof(wanted));
        }

        _availability = new int[PieceCount];
        _random = random ?? new Random();
        for (var i = _wanted.NextIndex(0); i >= 0; i = _wanted.NextIndex(i + 1))
        {
            _missing += _have[i] ? 0 : 1;
        }
    }

    public int PieceCount { get; }

    /// <summary>Wanted pieces not verified yet.</summary>
    public int MissingCount => _missing;

    public bool IsComplete => _missing == 0;

    public Bitfield Have => _have;

    public Bitfield Wanted => _wanted;

    public IReadOnlyCollection<PieceProgress> Active => _activeOrder;

    public bool IsWantedAndMissing(int index) => _wanted[index] && !_have[index];

    /// <summary>Peers holding piece <paramref name="index"/>, seeds included.</summary>
    public int Availability(int index) => _availability[index] + _seeds;

    public void AddSeed() => _seeds++;

    public void RemoveSeed() => _seeds--;

    public void AddAvailability(Bitfield pieces)
    {
        for (var i = pieces.NextIndex(0); i >= 0; i = pieces.NextIndex(i + 1))
        {
            _availability[i]++;
        }
    }

    public void RemoveAvailability(Bitfield pieces)
    {
        for (var i = pieces.NextIndex(0); i >= 0; i = pieces.NextIndex(i + 1))
        {
            _availability[i]--;
        }
    }

    public void AddAvailability(int index) => _availability[index]++;

    public PieceProgress? GetProgress(int index) => _active.GetValueOrDefault(index);

    /// <summary>A piece was verified (and written): it leaves the active set.</summary>
    public void MarkVerified(int index)
    {
        if (_active.Remove(index, out var progress))
        {
            _activeOrder.Remove(progress);
        }

        if (!_have[index])
        {
            _have[index] = true;
            if (_wanted[index])
            {
                _missing--;
            }
        }
    }

    /// <summary>
    /// Picks up to <paramref name="max"/> blocks to request from <paramref name="peer"/> (which must have sent what it
    /// has), starting new pieces through <paramref name="start"/> (false: no memory left for another piece).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pick(PeerState peer, int max, List<BlockRef> output, Func<int, PieceProgress?> start)
    {
        if (max <= 0 || _missing == 0)
        {
            return;
        }

        var choked = peer.PeerChoking;

        // 1. Pieces in progress, oldest first; pieces this peer helped break are left to others while others can:
        // while more peers have the piece than there are suspects, one of them is not a suspect. (Counting any other
        // holder would stall for good when every peer that has the piece helped break it.)
        foreach (var progress in _activeOrder)
        {
            if (output.Count >= max)
            {
                return;
            }

            if (!peer.Has(progress.Index) || (choked && !peer.AllowedFast.Contains(progress.Index)) || (progress.Suspects.Contains(peer.Id) && Availability(progress.Index) > progress.Suspects.Length))
            {
                continue;
            }

            TakeOpenBlocks(progress, max, output);
        }

        // 2. New pieces.
        while (output.Count < max)
        {
            var index = ChooseNewPiece(peer, choked);
            if (index < 0)
            {
                break;
            }

            var progress = start(index);
            if (progress is null)
            {
                break;
            }

            _active[index] = progress;
            _activeOrder.Add(progress);
            TakeOpenBlocks(progress, max, output);
        }

        // 3. Endgame: nothing open anywhere and every missing piece started; a peer with nothing to do takes a copy of
        // the block asked of another most recently (the newest piece's last blocks).
        if (output.Count == 0 && peer.Outstanding.Count == 0 && InEndgame())
        {
            for (var i = _activeOrder.Count - 1; i >= 0; i--)
            {
                var progress = _activeOrder[i];
                if (!peer.Has(progress.Index) || (choked && !peer.AllowedFast.Contains(progress.Index)))
                {
                    continue;
                }

                for (var b = progress.BlockCount - 1; b >= 0; b--)
                {
                    var count = progress.RequestCount(b);
                    if (count > 0 && count < MaxRequestsPerBlock && !progress.Shared.IsReceived(b))
                    {
                        progress.AddRequest(b);
                        output.Add(new BlockRef(progress.Index, b));
                        return;
                    }
                }
            }
        }
    }

    /// <summary>A request for the block ended without it (timeout, choke, reject, the peer left, or it arrived).</summary>
    public void Release(BlockRef block) => _active.GetValueOrDefault(block.Piece)?.RemoveRequest(block.Block);

    /// <summary>True when no block of any wanted piece is left that nobody has been asked for.</summary>
    public bool InEndgame()
    {
        // Every missing piece must be active for this to be the end.
        if (_activeOrder.Count < _missing)
        {
            return false;
        }

        foreach (var progress in _activeOrder)
        {
            if (progress.HasOpenBlock())
            {
                return false;
            }
        }

        return true;
    }

    private void TakeOpenBlocks(PieceProgress progress, int max, List<BlockRef> output)
    {
        for (var b = 0; b < progress.BlockCount && output.Count < max; b++)
        {
            if (progress.IsOpen(b))
            {
                progress.AddRequest(b);
                output.Add(new BlockRef(progress.Index, b));
            }
        }
    }

    private int ChooseNewPiece(PeerState peer, bool choked)
    {
        if (choked)
        {
            foreach (var index in peer.AllowedFast)
            {
                if (IsWantedAndMissing(index) && !_active.ContainsKey(index) && peer.Has(index))
                {
                    return index;
                }
            }

            return -1;
        }

        var randomFirst = _have.Count < RandomFirstPieces && _missing > RandomFirstPieces;
        var start = randomFirst ? _random.Next(PieceCount) : _cursor;
        var best = -1;
        var bestAvailability = int.MaxValue;
        for (var n = 0; n < PieceCount; n++)
        {
            var i = start + n;
            if (i >= PieceCount)
            {
                i -= PieceCount;
            }

            if (_have[i] || !_wanted[i] || !peer.Has(i) || _active.ContainsKey(i))
            {
                continue;
            }

            if (randomFirst)
            {
                best = i;
                break;
            }

            var availability = _availability[i];
            if (availability < bestAvailability)
            {
                best = i;
                bestAvailability = availability;
                if (availability <= (peer.IsSeed ? 0 : 1))
                {
                    // No piece is rarer than one only this peer (and the seeds) has.
                    break;
                }
            }
        }

        if (best >= 0 && !randomFirst)
        {
            _cursor = best + 1 == PieceCount ? 0 : best + 1;
        }

        return best;
    }

    private static Bitfield AllPieces(int count)
    {
        var all = new Bitfield(count);
        all.SetAll();
        return all;
    }
}
