using System.Security.Cryptography;

namespace TorrentPS.Engine.Storage;

/// <summary>Checks a piece against its SHA-1, with the hardware SHA-1 and no allocation.</summary>
internal static class PieceHash
{
    public const int Length = 20;

    /// <summary>True when the SHA-1 of <paramref name="pieceData"/> is <paramref name="expectedSha1"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> pieceData, ReadOnlySpan<byte> expectedSha1)
    {
        Span<byte> actual = stackalloc byte[Length];
        SHA1.HashData(pieceData, actual);
        return actual.SequenceEqual(expectedSha1);
    }

    /// <summary>True when the hash <paramref name="hash"/> has accumulated is <paramref name="expectedSha1"/>; resets it for the next piece.</summary>
    public static bool Matches(IncrementalHash hash, ReadOnlySpan<byte> expectedSha1)
    {
        ArgumentNullException.ThrowIfNull(hash);
        Span<byte> actual = stackalloc byte[Length];
        return hash.TryGetHashAndReset(actual, out var written) && written == Length && actual.SequenceEqual(expectedSha1);
    }
}
