using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Assembles pieces from blocks, in two steps a block's way never leaves the thread that received it: assembly
/// (<see cref="Deliver"/>: the block is copied into its piece's pooled buffer) and, for the block that completes a
/// piece, hash-and-write (<see cref="HashAndWrite"/>: SHA-1 over the buffer the data already sits in, then the write to
/// storage, then a word to the loop). The loop starts and removes pieces; connection threads deliver into them. A bad
/// piece's blocks become missing again and the loop hears who supplied them.
/// </summary>
internal sealed class PieceAssembler
{
    private readonly TorrentInfo _torrent;
    private readonly IPieceStorage _storage;
    private readonly IPieceEvents _events;
    private readonly ActivePiece?[] _active;
    private long _bufferedBytes;

    private readonly PieceBufferPool _pool;

    public PieceAssembler(TorrentInfo torrent, IPieceStorage storage, IPieceEvents events, long maxBufferedBytes = 32L * 1024 * 1024)
    {
        _torrent = torrent;
        _pool = new PieceBufferPool((int)torrent.PieceLength, (int)Math.Max(1, maxBufferedBytes / Math.Max(1, torrent.PieceLength)));
        _storage = storage;
        _events = events;
        _active = new ActivePiece?[torrent.PieceCount];
    }

    /// <summary>Bytes held by pieces in progress.</summary>
    public long BufferedBytes => Volatile.Read(ref _bufferedBytes);

    /// <summary>Starts downloading a piece (the loop).</summary>
    public ActivePiece Start(int index)
    {
        if (Volatile.Read(ref _active[index]) is { } existing)
        {
            return existing;
        }

        var piece = new ActivePiece(index, (int)_torrent.GetPieceLength(index), _pool);
        Interlocked.Add(ref _bufferedBytes, piece.Length);
        Volatile.Write(ref _active[index], piece);
        return piece;
    }

    /// <summary>Forgets a finished piece (the loop, once it heard the piece was verified).</summary>
    public void Remove(int index)
    {
        if (Interlocked.Exchange(ref _active[index], null) is { } piece)
        {
            Interlocked.Add(ref _bufferedBytes, -piece.Length);
        }
    }

    /// <summary>
    /// Gives up a piece no longer wanted (the loop): it is forgotten, its memory counts no more, and its buffer goes back
    /// to the pool once no connection thread is copying into it.
    /// </summary>
    public void Abandon(int index)
    {
        if (Interlocked.Exchange(ref _active[index], null) is { } piece)
        {
            Interlocked.Add(ref _bufferedBytes, -piece.Length);
            piece.Abandon();
        }
    }

    public ActivePiece? Get(int index) => (uint)index < (uint)_active.Length ? Volatile.Read(ref _active[index]) : null;

    /// <summary>
    /// A block from peer <paramref name="peerId"/> (a connection thread). When it completes its piece, the piece is
    /// hashed and written here, on the caller's thread, and the loop is told.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public BlockOutcome Deliver(int peerId, int index, int begin, ReadOnlySpan<byte> data)
    {
        var piece = Get(index);
        if (piece is null)
        {
            return BlockOutcome.Unexpected;
        }

        var outcome = piece.TryAccept(begin, data, peerId);
        if (outcome == BlockOutcome.CompletedPiece)
        {
            HashAndWrite(piece);
        }

        return outcome;
    }

    /// <summary>The second step, on the thread that delivered the piece's last block: hash, then write or give back.</summary>
    private void HashAndWrite(ActivePiece piece)
    {
        if (piece.IsAbandoned)
        {
            // The loop gave it up while this block was being copied in: nothing is hashed or written.
            piece.Release();
            return;
        }

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(piece.Data, hash);
        if (!hash.SequenceEqual(_torrent.GetPieceHash(piece.Index)))
        {
            var contributors = piece.Contributors();
            piece.Reset();
            _events.PieceFailed(piece.Index, contributors);
            return;
        }

        try
        {
            _storage.WritePiece(piece.Index, piece.Data);
        }
        catch (Exception ex)
        {
            // Not verified: the piece stays active with its blocks missing, and the loop decides (usually: stop).
            piece.Reset();
            _events.StorageFailed(piece.Index, ex);
            return;
        }

        piece.Release();
        _events.PieceVerified(piece.Index);
    }
}
