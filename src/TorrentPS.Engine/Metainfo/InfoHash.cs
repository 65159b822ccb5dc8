using System.Security.Cryptography;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// A v1 info hash: the SHA-1 of a torrent's bencoded info dictionary exactly as it was written.
/// Immutable; shows as 40 lowercase hex digits.
/// </summary>
public sealed class InfoHash : IEquatable<InfoHash>
{
    public const int Length = 20;

    private readonly byte[] _bytes;

    public InfoHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An info hash is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The 20 bytes, without a copy. A method, not a property: PowerShell cannot read a span property.</summary>
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    public string Hex => Convert.ToHexString(_bytes).ToLowerInvariant();

    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <summary>The SHA-1 of <paramref name="bencodedInfo"/>.</summary>
    public static InfoHash Compute(ReadOnlySpan<byte> bencodedInfo)
    {
        Span<byte> hash = stackalloc byte[Length];
        SHA1.HashData(bencodedInfo, hash);
        return new InfoHash(hash);
    }

    /// <summary>Parses 40 hex digits or 32 base32 characters (either case).</summary>
    public static InfoHash Parse(string text)
        => TryParse(text, out var hash)
            ? hash
            : throw new FormatException($"'{text}' is not an info hash: expected 40 hex digits or 32 base32 characters.");

    public static bool TryParse(string? text, out InfoHash hash)
    {
        hash = null!;
        if (text is null)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (text.Length == 40)
        {
            for (var i = 0; i < Length; i++)
            {
                var hi = HexValue(text[2 * i]);
                var lo = HexValue(text[(2 * i) + 1]);
                if (hi < 0 || lo < 0)
                {
                    return false;
                }

                bytes[i] = (byte)((hi << 4) | lo);
            }
        }
        else if (text.Length == 32)
        {
            ulong buffer = 0;
            var bits = 0;
            var index = 0;
            foreach (var c in text)
            {
                var v = Base32Value(c);
                if (v < 0)
                {
                    return false;
                }

                buffer = (buffer << 5) | (uint)v;
                bits += 5;
                if (bits >= 8)
                {
                    bits -= 8;
                    bytes[index++] = (byte)(buffer >> bits);
                }
            }
        }
        else
        {
            return false;
        }

        hash = new InfoHash(bytes);
        return true;
    }

    /// <summary>The hash in RFC 4648 base32 (32 uppercase characters), as some magnet links carry it.</summary>
    public string ToBase32()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var chars = new char[32];
        ulong buffer = 0;
        var bits = 0;
        var index = 0;
        foreach (var b in _bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[index++] = alphabet[(int)((buffer >> bits) & 31)];
            }
        }

        return new string(chars);
    }

    public bool Equals(InfoHash? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is InfoHash other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => Hex;

    public static bool operator ==(InfoHash? left, InfoHash? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(InfoHash? left, InfoHash? right) => !(left == right);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int Base32Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };
}
