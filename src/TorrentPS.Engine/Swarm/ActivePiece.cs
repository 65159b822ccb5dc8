using System.Buffers;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// A piece being downloaded: its buffer and the state of each 16 KiB block, shared by the torrent's loop and the
/// connection threads (see Swarm/INVARIANTS.md). A connection thread claims a block with a compare-and-swap before it
/// copies the block in, so a block is written once however many peers deliver it; the thread that completes the last
/// block hashes the piece and writes it. Nobody writes into the buffer once every block is received.
/// </summary>
/// <remarks>
/// A piece no longer wanted is abandoned by the loop (<see cref="Abandon"/>): every block nobody claimed is closed, so no
/// later delivery copies into the buffer, and the buffer goes back to the pool once the last block being copied in is
/// done: each block ends received or closed exactly once, and whoever ends the last one (the loop, or the connection
/// thread finishing its copy) returns the buffer instead of hashing.
/// </remarks>
internal sealed class ActivePiece
{
    public const int BlockSize = 16 * 1024;

    private const int Missing = 0;
    private const int Writing = 1;
    private const int Received = 2;
    private const int Closed = 3;

    private readonly int[] _state;
    private readonly int[] _contributor;
    private byte[]? _buffer;

    /// <summary>Blocks received, plus blocks closed by <see cref="Abandon"/>; the one that makes it <see cref="BlockCount"/> ends the piece.</summary>
    private int _received;
    private int _abandoned;

    private readonly PieceBufferPool? _pool;

    internal ActivePiece(int index, int length, PieceBufferPool? pool = null)
    {
        _pool = pool;
        Index = index;
        Length = length;
        BlockCount = (length + BlockSize - 1) / BlockSize;
        _state = new int[BlockCount];
        _contributor = new int[BlockCount];
        _buffer = pool is not null && pool.BufferLength >= length ? pool.Rent() : ArrayPool<byte>.Shared.Rent(length);
    }

    public int Index { get; }

    public int Length { get; }

    public int BlockCount { get; }

    /// <summary>Blocks received so far (this attempt).</summary>
    public int ReceivedCount => Volatile.Read(ref _received);

    public int GetBlockLength(int block) => block == BlockCount - 1 ? Length - (block * BlockSize) : BlockSize;

    public bool IsReceived(int block) => Volatile.Read(ref _state[block]) == Received;

    /// <summary>Whether the piece still holds its buffer (false once written, or abandoned and left by every copying thread).</summary>
    internal bool HoldsBuffer => Volatile.Read(ref _buffer) is not null;

    /// <summary>The loop gave the piece up (no longer wanted): it is never hashed or written.</summary>
    public bool IsAbandoned => Volatile.Read(ref _abandoned) != 0;

    /// <summary>Copies a block in when it is the one expected at <paramref name="begin"/> and nobody has it yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal BlockOutcome TryAccept(int begin, ReadOnlySpan<byte> data, int peerId)
    {
        if (begin % BlockSize != 0 || begin >= Length)
        {
            return BlockOutcome.Unexpected;
        }

        var block = begin / BlockSize;
        if (data.Length != GetBlockLength(block))
        {
            return BlockOutcome.Unexpected;
        }

        if (Interlocked.CompareExchange(ref _state[block], Writing, Missing) != Missing)
        {
            return BlockOutcome.Duplicate;
        }

        data.CopyTo(_buffer.AsSpan(begin));
        _contributor[block] = peerId;
        Volatile.Write(ref _state[block], Received);
        return Interlocked.Increment(ref _received) == BlockCount ? BlockOutcome.CompletedPiece : BlockOutcome.Accepted;
    }

    /// <summary>The whole piece; only for the thread that completed it.</summary>
    internal ReadOnlySpan<byte> Data => _buffer.AsSpan(0, Length);

    /// <summary>The peers that supplied the blocks of this attempt, each once.</summary>
    internal int[] Contributors()
    {
        var distinct = new List<int>(2);
        foreach (var peer in _contributor)
        {
            if (!distinct.Contains(peer))
            {
                distinct.Add(peer);
            }
        }

        return distinct.ToArray();
    }

    /// <summary>
    /// After a failed hash (or write): every block is missing again (the completing thread, before it reports the
    /// failure). When the loop abandoned the piece meanwhile, the blocks are closed at once and the buffer returned.
    /// </summary>
    internal void Reset()
    {
        Volatile.Write(ref _received, 0);
        for (var i = 0; i < _state.Length; i++)
        {
            Volatile.Write(ref _state[i], Missing);
        }

        // A full fence: either the loop's Abandon sees the blocks missing, or this sees the abandon (or both: each block
        // is closed once, by whichever gets it).
        Interlocked.MemoryBarrier();
        if (IsAbandoned)
        {
            CloseOpenBlocks();
        }
    }

    /// <summary>
    /// The loop gives the piece up: no block nobody claimed will be copied in any more, and the buffer goes back to the
    /// pool as soon as no thread is copying into it (at once when none is). A piece complete and being hashed is left to
    /// its thread (it is written, or reset and then closed here).
    /// </summary>
    internal void Abandon()
    {
        if (Interlocked.Exchange(ref _abandoned, 1) == 0)
        {
            CloseOpenBlocks();
        }
    }

    /// <summary>Closes every missing block; whoever ends the piece's last block returns the buffer.</summary>
    private void CloseOpenBlocks()
    {
        var closed = 0;
        for (var i = 0; i < _state.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _state[i], Closed, Missing) == Missing)
            {
                closed++;
            }
        }

        if (closed > 0 && Interlocked.Add(ref _received, closed) == BlockCount)
        {
            Release();
        }
    }

    /// <summary>Returns the buffer (the completing thread, after the piece is written or abandoned for good).</summary>
    internal void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is null)
        {
            return;
        }

        if (_pool is not null && buffer.Length == _pool.BufferLength)
        {
            _pool.Return(buffer);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override string ToString() => $"piece {Index} ({ReceivedCount}/{BlockCount} blocks)";
}
