using System.Collections;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Blocks asked of one peer, in the order they were asked, with adding, finding and removing any one of them in constant
/// time: the loop does one of each per block received, and a list searched and shifted from the front cost the loop a
/// measurable share of its thread (256 entries moved per block at full depth). Optionally bounded: past
/// <see cref="Limit"/> entries the oldest is forgotten (for blocks cancelled that may or may not still come). Owned by the loop.
/// </summary>
internal sealed class RequestedBlocks : IEnumerable<BlockRef>
{
    private static readonly BlockRef Gone = new(-1, -1);

    // Blocks by sequence number: slot = sequence & mask. Entries between _head and _tail are in request order; removed
    // ones are marked Gone until the head passes them. _index finds a block's sequence number.
    private readonly Dictionary<BlockRef, long> _index;
    private BlockRef[] _ring;
    private long _head;
    private long _tail;

    /// <param name="limit">The most blocks kept; adding one more forgets the oldest. Null: no bound.</param>
    public RequestedBlocks(int? limit = null)
    {
        Limit = limit;
        _ring = new BlockRef[16];
        _index = new Dictionary<BlockRef, long>(16, BlockRefComparer.Instance);
    }

    /// <summary>The most blocks kept (null: no bound).</summary>
    public int? Limit { get; }

    public int Count => _index.Count;

    /// <summary>The block at the front (asked first); only when <see cref="Count"/> is above zero.</summary>
    public BlockRef Oldest
    {
        get
        {
            if (_index.Count == 0)
            {
                throw new InvalidOperationException("No block is held.");
            }

            return _ring[_head & (_ring.Length - 1)];
        }
    }

    /// <summary>Adds <paramref name="block"/> at the back; false when it is already held.</summary>
    public bool Add(BlockRef block)
    {
        if (block.Piece < 0 || !_index.TryAdd(block, _tail))
        {
            return false;
        }

        if (_tail - _head == _ring.Length)
        {
            _index.Remove(block);
            Repack();
            _index.Add(block, _tail);
        }

        _ring[_tail & (_ring.Length - 1)] = block;
        _tail++;
        if (Limit is { } limit && _index.Count > limit)
        {
            Remove(Oldest);
        }

        return true;
    }

    public bool Contains(BlockRef block) => _index.ContainsKey(block);

    /// <summary>Removes <paramref name="block"/>; false when it was not held.</summary>
    public bool Remove(BlockRef block)
    {
        if (!_index.Remove(block, out var sequence))
        {
            return false;
        }

        var mask = _ring.Length - 1;
        _ring[sequence & mask] = Gone;
        while (_head < _tail && _ring[_head & mask].Piece < 0)
        {
            _head++;
        }

        if (_index.Count == 0)
        {
            _head = _tail = 0;
        }

        return true;
    }

    /// <summary>Removes every block of piece <paramref name="piece"/>, adding each to <paramref name="removed"/> in request order.</summary>
    public void RemovePiece(int piece, List<BlockRef> removed)
    {
        var first = removed.Count;
        foreach (var block in this)
        {
            if (block.Piece == piece)
            {
                removed.Add(block);
            }
        }

        for (var i = first; i < removed.Count; i++)
        {
            Remove(removed[i]);
        }
    }

    public void Clear()
    {
        _index.Clear();
        _head = _tail = 0;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<BlockRef> IEnumerable<BlockRef>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The ring is full of live and removed entries: the live ones move, in order, to a ring with room for twice as
    /// many (a removed entry stuck behind a live one never makes the ring grow without bound).
    /// </summary>
    private void Repack()
    {
        var count = _index.Count;
        var size = 16;
        while (size < count * 2)
        {
            size *= 2;
        }

        var ring = new BlockRef[size];
        var mask = _ring.Length - 1;
        var next = 0;
        for (var sequence = _head; sequence < _tail; sequence++)
        {
            var block = _ring[sequence & mask];
            if (block.Piece >= 0)
            {
                ring[next] = block;
                _index[block] = next;
                next++;
            }
        }

        _ring = ring;
        _head = 0;
        _tail = next;
    }

    /// <summary>Walks the blocks in request order. The set must not change meanwhile.</summary>
    public struct Enumerator : IEnumerator<BlockRef>
    {
        private readonly RequestedBlocks _owner;
        private long _next;

        internal Enumerator(RequestedBlocks owner)
        {
            _owner = owner;
            _next = owner._head;
            Current = default;
        }

        public BlockRef Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            var ring = _owner._ring;
            var mask = ring.Length - 1;
            while (_next < _owner._tail)
            {
                var block = ring[_next & mask];
                _next++;
                if (block.Piece >= 0)
                {
                    Current = block;
                    return true;
                }
            }

            return false;
        }

        public void Reset() => _next = _owner._head;

        public readonly void Dispose()
        {
        }
    }

    private sealed class BlockRefComparer : IEqualityComparer<BlockRef>
    {
        public static readonly BlockRefComparer Instance = new();

        public bool Equals(BlockRef x, BlockRef y) => x.Piece == y.Piece && x.Block == y.Block;

        public int GetHashCode(BlockRef block) => (block.Piece * 1024) ^ block.Block;
    }
}
