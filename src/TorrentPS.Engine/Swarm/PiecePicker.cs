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
/// <remarks>
/// <para><b>Priorities.</b> New pieces are chosen by the rank the <see cref="PiecePlan"/> gives them (the files'
/// priorities, then first and last pieces of files when asked): a piece of a higher rank always before one of a lower
/// rank, rarest first (or in order) among those of the same rank. Pieces of rank 0 are never wanted.
/// <see cref="Replan"/> takes a new plan while the torrent runs; pieces in progress it no longer wants are dropped.</para>
/// <para><b>Sequential.</b> In order (by rank, then by index) instead of rarest first: new pieces start in that order
/// within a window of <see cref="SequentialWindow"/> pieces past the first one still missing, so that every peer's
/// pipeline can be full (the loop sizes it from the peers' depths and the memory the pieces in progress may hold) while
/// the finished prefix grows in order. A peer with nothing to do that has no piece inside the window is given the first
/// piece it has past the window, one at a time, rather than left idle.</para>
/// </remarks>
internal sealed class PiecePicker
{
    public const int RandomFirstPieces = 4;
    public const int MaxRequestsPerBlock = 2;

    /// <summary>The sequential window before the loop sizes it.</summary>
    public const int DefaultSequentialWindow = 8;

    private readonly Bitfield _have;
    private readonly int[] _availability;
    private readonly Dictionary<int, PieceProgress> _active = new();
    private readonly List<PieceProgress> _activeOrder = new();
    private readonly Random _random;
    private readonly int[] _missingByRank = new int[PiecePlan.MaxRank + 1];
    private Bitfield _wanted;
    private PiecePlan _plan;
    private int[] _order = [];
    private int _orderBase;
    private int _seeds;
    private int _missing;
    private int _cursor;

    /// <param name="have">Pieces verified (the picker's own copy is kept in step by <see cref="MarkVerified"/>).</param>
    /// <param name="wanted">Pieces to download; null for all.</param>
    public PiecePicker(Bitfield have, Bitfield? wanted = null, Random? random = null)
        : this(have, CheckedPlan(have, wanted), sequential: false, random)
    {
    }

    /// <param name="have">Pieces verified (the picker's own copy is kept in step by <see cref="MarkVerified"/>).</param>
    /// <param name="plan">The pieces to download and their ranks.</param>
    /// <param name="sequential">New pieces in order (by rank, then index) instead of rarest first.</param>
    public PiecePicker(Bitfield have, PiecePlan plan, bool sequential = false, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(have);
        ArgumentNullException.ThrowIfNull(plan);
        PieceCount = have.Length;
        if (plan.PieceCount != PieceCount)
        {
            throw new ArgumentException("The plan and the pieces we have describe different torrents.", nameof(plan));
        }

        _have = have.Clone();
        _availability = new int[PieceCount];
        _random = random ?? new Random();
        IsSequential = sequential;
        _plan = plan;
        _wanted = plan.Wanted.Clone();
        Count();
    }

    public int PieceCount { get; }

    /// <summary>Wanted pieces not verified yet.</summary>
    public int MissingCount => _missing;

    public bool IsComplete => _missing == 0;

    public Bitfield Have => _have;

    public Bitfield Wanted => _wanted;

    /// <summary>The plan the picker follows (the wanted pieces and their ranks).</summary>
    public PiecePlan Plan => _plan;

    /// <summary>New pieces in order (by rank, then by index) instead of rarest first.</summary>
    public bool IsSequential { get; }

    /// <summary>
    /// Sequential: how many pieces past the first one still missing new pieces may start in (at least 1). The loop sizes
    /// it (<see cref="SequentialWindowFor"/>).
    /// </summary>
    public int SequentialWindow { get; set; } = DefaultSequentialWindow;

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
                _missingByRank[_plan.Rank(index)]--;
            }

            AdvanceOrderBase();
        }
    }

    /// <summary>
    /// Follows a new plan (other files chosen, other priorities) without restarting: what is wanted and missing is
    /// counted again, and pieces in progress that are no longer wanted leave the active set; their indexes go to
    /// <paramref name="dropped"/> so the caller cancels their requests and frees their buffers.
    /// </summary>
    public void Replan(PiecePlan plan, List<int> dropped)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(dropped);
        if (plan.PieceCount != PieceCount)
        {
            throw new ArgumentException("The plan is for another torrent.", nameof(plan));
        }

        _plan = plan;
        _wanted = plan.Wanted.Clone();
        for (var i = _activeOrder.Count - 1; i >= 0; i--)
        {
            var index = _activeOrder[i].Index;
            if (!_wanted[index])
            {
                _active.Remove(index);
                _activeOrder.RemoveAt(i);
                dropped.Add(index);
            }
        }

        Count();
    }

    /// <summary>
    /// The sequential window that keeps every pipeline full: the pieces the peers' requests (<paramref name="requestSlots"/>,
    /// the sum of their depths in blocks) span, four times over (pieces complete but still being hashed and written hold
    /// their place in the window, and a slow peer's piece holds the window's start back), and at least half the pieces the
    /// memory for pieces in progress holds (<paramref name="maxBufferedBytes"/>), so that a sequential download has the
    /// room a rarest-first one has; never less than <see cref="DefaultSequentialWindow"/>, never more than that memory holds.
    /// </summary>
    /// <remarks>
    /// Order costs nothing at this width: the window is a few tens of MiB at most, so the prefix that is complete trails
    /// what arrived by less than a second at the rates where that much is in flight.
    /// </remarks>
    public static int SequentialWindowFor(int requestSlots, long pieceLength, long maxBufferedBytes)
    {
        var blocksPerPiece = Math.Max(1, (pieceLength + ActivePiece.BlockSize - 1) / ActivePiece.BlockSize);
        var spanned = (Math.Max(0, requestSlots) + blocksPerPiece - 1) / blocksPerPiece;
        var byMemory = Math.Max(1, maxBufferedBytes / Math.Max(1, pieceLength));
        var wanted = Math.Max(DefaultSequentialWindow, Math.Max(4 * spanned, byMemory / 2));
        return (int)Math.Clamp(wanted, 1, Math.Min(byMemory, int.MaxValue));
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
            var index = ChooseNewPiece(peer, choked, idle: output.Count == 0 && peer.Outstanding.Count == 0);
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

    private int ChooseNewPiece(PeerState peer, bool choked, bool idle)
    {
        if (choked)
        {
            var allowed = -1;
            foreach (var index in peer.AllowedFast)
            {
                if (IsWantedAndMissing(index) && !_active.ContainsKey(index) && peer.Has(index) && (allowed < 0 || _plan.Rank(index) > _plan.Rank(allowed)))
                {
                    allowed = index;
                }
            }

            return allowed;
        }

        return IsSequential ? ChooseInOrder(peer, idle) : ChooseRarest(peer);
    }

    /// <summary>
    /// The highest rank first; within it a random piece while we have fewer than <see cref="RandomFirstPieces"/>, else
    /// the rarest, ties in order from the cursor.
    /// </summary>
    private int ChooseRarest(PeerState peer)
    {
        var randomFirst = _have.Count < RandomFirstPieces && _missing > RandomFirstPieces;
        var start = randomFirst ? _random.Next(PieceCount) : _cursor;
        var top = TopRank();
        var best = -1;
        var bestRank = 0;
        var bestAvailability = int.MaxValue;
        for (var n = 0; n < PieceCount; n++)
        {
            var i = start + n;
            if (i >= PieceCount)
            {
                i -= PieceCount;
            }

            var rank = _plan.Rank(i);
            if (rank < bestRank || rank == 0 || _have[i] || !peer.Has(i) || _active.ContainsKey(i))
            {
                continue;
            }

            var availability = randomFirst ? 0 : _availability[i];
            if (rank > bestRank || availability < bestAvailability)
            {
                best = i;
                bestRank = rank;
                bestAvailability = availability;

                // Nothing outranks the top rank, and no piece is rarer than one only this peer (and the seeds) has.
                if (rank == top && (randomFirst || availability <= (peer.IsSeed ? 0 : 1)))
                {
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

    /// <summary>
    /// Sequential: the first piece in order (rank, then index) that the peer has and nobody started, within the window
    /// past the first missing piece; past the window only for a peer that would otherwise be idle.
    /// </summary>
    private int ChooseInOrder(PeerState peer, bool idle)
    {
        var window = _orderBase + Math.Max(1, SequentialWindow);
        for (var position = _orderBase; position < _order.Length; position++)
        {
            if (position >= window && !idle)
            {
                return -1;
            }

            var i = _order[position];
            if (!_have[i] && !_active.ContainsKey(i) && peer.Has(i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The highest rank with a wanted piece still missing (0 when none is).</summary>
    private int TopRank()
    {
        for (var rank = PiecePlan.MaxRank; rank > 0; rank--)
        {
            if (_missingByRank[rank] > 0)
            {
                return rank;
            }
        }

        return 0;
    }

    /// <summary>Counts what is wanted and missing under the plan, and (sequential) puts the wanted pieces in order.</summary>
    private void Count()
    {
        _missing = 0;
        Array.Clear(_missingByRank);
        for (var i = _wanted.NextIndex(0); i >= 0; i = _wanted.NextIndex(i + 1))
        {
            if (!_have[i])
            {
                _missing++;
                _missingByRank[_plan.Rank(i)]++;
            }
        }

        if (!IsSequential)
        {
            return;
        }

        // Higher ranks first, each in index order (a counting sort over the ranks).
        var order = new int[_wanted.Count];
        var next = 0;
        for (var rank = PiecePlan.MaxRank; rank > 0; rank--)
        {
            for (var i = _wanted.NextIndex(0); i >= 0; i = _wanted.NextIndex(i + 1))
            {
                if (_plan.Rank(i) == rank)
                {
                    order[next++] = i;
                }
            }
        }

        _order = order;
        _orderBase = 0;
        AdvanceOrderBase();
    }

    /// <summary>Sequential: the window starts at the first piece in order still missing.</summary>
    private void AdvanceOrderBase()
    {
        while (_orderBase < _order.Length && _have[_order[_orderBase]])
        {
            _orderBase++;
        }
    }

    private static PiecePlan CheckedPlan(Bitfield have, Bitfield? wanted)
    {
        ArgumentNullException.ThrowIfNull(have);
        if (wanted is not null && wanted.Length != have.Length)
        {
            throw new ArgumentException("The wanted pieces and the pieces we have describe different torrents.", nameof(wanted));
        }

        return PiecePlan.Of(have.Length, wanted);
    }
}
