using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A 160-bit DHT identifier (BEP 5): a node's id, or an info hash as a lookup target. Distance is the XOR of two ids
/// read as an unsigned big-endian number. A value type held in three words, so comparing and XOR-ing ids in the routing
/// table and in lookups allocates nothing. Shows as 40 lowercase hex digits.
/// </summary>
internal readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    /// <summary>Bytes in an id.</summary>
    public const int Length = 20;

    /// <summary>Bits in an id.</summary>
    public const int Bits = 160;

    // Big-endian words: _high holds bytes 0-7, _middle bytes 8-15, _low bytes 16-19.
    private readonly ulong _high;
    private readonly ulong _middle;
    private readonly uint _low;

    private NodeId(ulong high, ulong middle, uint low)
    {
        _high = high;
        _middle = middle;
        _low = low;
    }

    /// <summary>The id in <paramref name="bytes"/> (exactly 20).</summary>
    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A node id is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _middle = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _low = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>The id of all zero bits.</summary>
    public static NodeId Zero => default;

    /// <summary>A fresh random id (a node's own id when none was saved).</summary>
    public static NodeId Random()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return new NodeId(bytes);
    }

    /// <summary>The lookup target of a torrent: its info hash read as an id.</summary>
    public static NodeId FromInfoHash(InfoHash infoHash)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        return new NodeId(infoHash.AsSpan());
    }

    /// <summary>Parses 40 hex digits.</summary>
    /// <exception cref="FormatException">Not 40 hex digits.</exception>
    public static NodeId Parse(string text)
        => TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a node id: expected 40 hex digits.");

    public static bool TryParse(string? text, out NodeId id)
    {
        id = default;
        if (text is null || text.Length != 2 * Length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        for (var i = 0; i < Length; i++)
        {
            var high = HexValue(text[2 * i]);
            var low = HexValue(text[(2 * i) + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        id = new NodeId(bytes);
        return true;
    }

    /// <summary>The distance to <paramref name="other"/>: the XOR of the two ids.</summary>
    public NodeId Xor(NodeId other) => new(_high ^ other._high, _middle ^ other._middle, _low ^ other._low);

    /// <summary>How many leading bits this id shares with <paramref name="other"/> (160 when they are equal).</summary>
    public int CommonPrefixLength(NodeId other)
    {
        var high = _high ^ other._high;
        if (high != 0)
        {
            return BitOperations.LeadingZeroCount(high);
        }

        var middle = _middle ^ other._middle;
        if (middle != 0)
        {
            return 64 + BitOperations.LeadingZeroCount(middle);
        }

        var low = _low ^ other._low;
        return low != 0 ? 128 + BitOperations.LeadingZeroCount(low) : Bits;
    }

    /// <summary>Bit <paramref name="index"/> counted from the most significant (0) to the least (159).</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Bits);
        return index switch
        {
            < 64 => ((_high >> (63 - index)) & 1) != 0,
            < 128 => ((_middle >> (127 - index)) & 1) != 0,
            _ => ((_low >> (159 - index)) & 1) != 0,
        };
    }

    /// <summary>
    /// A random id that shares exactly <paramref name="prefixLength"/> leading bits with this one (the bit after them
    /// differs), or shares at least that many when <paramref name="prefixLength"/> is 160: a target inside one bucket of
    /// the routing table, for refreshing it.
    /// </summary>
    public NodeId RandomWithPrefix(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, Bits);
        var random = Random();
        Span<byte> mine = stackalloc byte[Length];
        Span<byte> result = stackalloc byte[Length];
        CopyTo(mine);
        random.CopyTo(result);
        for (var bit = 0; bit < prefixLength; bit++)
        {
            SetBit(result, bit, GetBit(bit));
        }

        if (prefixLength < Bits)
        {
            SetBit(result, prefixLength, !GetBit(prefixLength));
        }

        return new NodeId(result);
    }

    /// <summary>
    /// Compares how close <paramref name="a"/> and <paramref name="b"/> are to <paramref name="target"/>: negative when
    /// <paramref name="a"/> is closer, zero when they are the same id.
    /// </summary>
    public static int CompareDistance(NodeId a, NodeId b, NodeId target) => a.Xor(target).CompareTo(b.Xor(target));

    /// <summary>Writes the 20 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"A node id needs {Length} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _middle);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _low);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    public string Hex
    {
        get
        {
            Span<byte> bytes = stackalloc byte[Length];
            CopyTo(bytes);
            return Convert.ToHexString(bytes).ToLowerInvariant();
        }
    }

    /// <summary>Orders ids as unsigned 160-bit numbers (so distances order by closeness).</summary>
    public int CompareTo(NodeId other)
    {
        var byHigh = _high.CompareTo(other._high);
        if (byHigh != 0)
        {
            return byHigh;
        }

        var byMiddle = _middle.CompareTo(other._middle);
        return byMiddle != 0 ? byMiddle : _low.CompareTo(other._low);
    }

    public bool Equals(NodeId other) => _high == other._high && _middle == other._middle && _low == other._low;

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _middle, _low);

    public override string ToString() => Hex;

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static void SetBit(Span<byte> bytes, int index, bool value)
    {
        var mask = (byte)(0x80 >> (index & 7));
        bytes[index >> 3] = value ? (byte)(bytes[index >> 3] | mask) : (byte)(bytes[index >> 3] & ~mask);
    }
}
