using System.Numerics;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// A set of piece indexes in BEP 3's wire layout: bit 7 of byte 0 is piece 0, spare bits at the end are zero. Used for
/// the pieces we have (resume data, the torrent loop) and the pieces a peer has. Not thread-safe: one owner mutates it.
/// </summary>
public sealed class Bitfield
{
    private readonly byte[] _bytes;
    private int _count;

    /// <summary>An empty set of <paramref name="length"/> pieces.</summary>
    public Bitfield(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _bytes = new byte[ByteLength(length)];
    }

    /// <summary>A set read from wire bytes; spare bits must be zero.</summary>
    /// <exception cref="FormatException">The byte count does not match <paramref name="length"/>, or a spare bit is set.</exception>
    public Bitfield(int length, ReadOnlySpan<byte> bytes)
        : this(length)
    {
        if (bytes.Length != _bytes.Length)
        {
            throw new FormatException($"A bitfield of {length} pieces takes {_bytes.Length} bytes, not {bytes.Length}.");
        }

        if (length % 8 != 0 && (bytes[^1] & (0xFF >> (length % 8))) != 0)
        {
            throw new FormatException("A spare bit at the end of the bitfield is set.");
        }

        bytes.CopyTo(_bytes);
        _count = PopCount(_bytes);
    }

    /// <summary>The number of pieces (bits) in the set's universe.</summary>
    public int Length { get; }

    /// <summary>How many pieces are in the set.</summary>
    public int Count => _count;

    public bool IsEmpty => _count == 0;

    public bool IsComplete => _count == Length;

    public bool this[int index]
    {
        get
        {
            CheckIndex(index);
            return (_bytes[index >> 3] & (0x80 >> (index & 7))) != 0;
        }
        set
        {
            CheckIndex(index);
            ref var b = ref _bytes[index >> 3];
            var mask = (byte)(0x80 >> (index & 7));
            var had = (b & mask) != 0;
            if (had == value)
            {
                return;
            }

            b = value ? (byte)(b | mask) : (byte)(b & ~mask);
            _count += value ? 1 : -1;
        }
    }

    /// <summary>Adds every piece.</summary>
    public void SetAll()
    {
        _bytes.AsSpan().Fill(0xFF);
        if (Length % 8 != 0)
        {
            _bytes[^1] = (byte)(0xFF << (8 - (Length % 8)));
        }

        _count = Length;
    }

    /// <summary>The first piece at or after <paramref name="from"/> in the set (or not in it, with <paramref name="set"/> false); -1 when none.</summary>
    public int NextIndex(int from, bool set = true)
    {
        for (var i = Math.Max(from, 0); i < Length; i++)
        {
            if ((i & 7) == 0 && i + 8 <= Length)
            {
                var b = _bytes[i >> 3];
                if (b == (set ? 0 : 0xFF))
                {
                    i += 7;
                    continue;
                }
            }

            if (this[i] == set)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The wire bytes (read-only view; valid while the set is not changed).</summary>
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public Bitfield Clone() => new(Length, _bytes);

    /// <summary>The indexes in the set, ascending.</summary>
    public IEnumerable<int> Indexes(bool set = true)
    {
        for (var i = NextIndex(0, set); i >= 0; i = NextIndex(i + 1, set))
        {
            yield return i;
        }
    }

    /// <summary>The number of bytes a bitfield of <paramref name="length"/> pieces takes on the wire.</summary>
    public static int ByteLength(int length) => (int)(((long)length + 7) / 8);

    public override string ToString() => $"{Count}/{Length}";

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The bitfield holds pieces 0 to {Length - 1}.");
        }
    }

    private static int PopCount(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        foreach (var b in bytes)
        {
            count += BitOperations.PopCount(b);
        }

        return count;
    }
}
