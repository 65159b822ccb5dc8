using System.Buffers;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// A piece being downloaded: its buffer and the state of each 16 KiB block, shared by the torrent's loop and the
/// connection threads (see Swarm/INVARIANTS.md). A connection thread claims a block with a compare-and-swap before it
/// copies the block in, so a block is written once however many peers deliver it; the thread that completes the last
/// block hashes the piece and writes it. Nobody writes into the buffer once every block is received.
/// </summary>
public sealed class ActivePiece
{
    public const int BlockSize = 16 * 1024;

    private const int Missing = 0;
    private const int Writing = 1;
    private const int Received = 2;

    private readonly int[] _state;
    private readonly int[] _contributor;
    private byte[]? _buffer;
    private int _received;

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

    /// <summary>After a failed hash: every block is missing again (the completing thread, before it reports the failure).</summary>
    internal void Reset()
    {
        Volatile.Write(ref _received, 0);
        for (var i = 0; i < _state.Length; i++)
        {
            Volatile.Write(ref _state[i], Missing);
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
