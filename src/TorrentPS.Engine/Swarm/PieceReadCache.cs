using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Whole pieces read for uploading, kept for the next blocks of the same piece (a downloader asks for a piece's blocks
/// one after another, and several downloaders often want the same pieces): one large read per piece instead of one
/// per 16 KiB block. A few pieces at most (least recently used first out); blocks are copied out under the lock, so a
/// buffer is reused only when nobody reads it. Thread-safe.
/// </summary>
internal sealed class PieceReadCache
{
    private readonly object _lock = new();
    private readonly LinkedList<Entry> _entries = new();
    private readonly PieceBufferPool _pool;
    private readonly int _capacity;

    public PieceReadCache(int pieceLength, int capacity)
    {
        _capacity = Math.Max(1, capacity);
        _pool = new PieceBufferPool(pieceLength, _capacity);
    }

    /// <summary>Pieces read from storage so far (misses).</summary>
    public int Loads { get; private set; }

    /// <summary>
    /// Copies <paramref name="destination"/>.Length bytes at <paramref name="begin"/> of piece <paramref name="piece"/>,
    /// loading the piece (<paramref name="pieceLength"/> bytes) from <paramref name="storage"/> when it is not cached.
    /// False when the storage returned less than the piece.
    /// </summary>
    public bool TryRead(int piece, int pieceLength, int begin, Span<byte> destination, IPieceStorage storage)
    {
        lock (_lock)
        {
            if (Find(piece) is { } cached)
            {
                return CopyOut(cached, begin, destination);
            }
        }

        var buffer = _pool.Rent();
        int read;
        try
        {
            read = storage.Read(piece, 0, buffer.AsSpan(0, pieceLength));
        }
        catch
        {
            _pool.Return(buffer);
            throw;
        }

        if (read < pieceLength)
        {
            _pool.Return(buffer);
            return false;
        }

        lock (_lock)
        {
            Loads++;
            var entry = Find(piece);
            if (entry is null)
            {
                entry = new Entry(piece, buffer, pieceLength);
                _entries.AddFirst(entry);
                if (_entries.Count > _capacity)
                {
                    var oldest = _entries.Last!.Value;
                    _entries.RemoveLast();
                    _pool.Return(oldest.Data);
                }
            }
            else
            {
                // Another thread loaded it meanwhile.
                _pool.Return(buffer);
            }

            return CopyOut(entry, begin, destination);
        }
    }

    private Entry? Find(int piece)
    {
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Piece == piece)
            {
                if (node != _entries.First)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                }

                return node.Value;
            }
        }

        return null;
    }

    private static bool CopyOut(Entry entry, int begin, Span<byte> destination)
    {
        if ((long)begin + destination.Length > entry.Length)
        {
            return false;
        }

        entry.Data.AsSpan(begin, destination.Length).CopyTo(destination);
        return true;
    }

    private sealed record Entry(int Piece, byte[] Data, int Length);
}
