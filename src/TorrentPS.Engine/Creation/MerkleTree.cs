using System.Numerics;
using System.Security.Cryptography;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// BEP 52's SHA-256 merkle trees. A file's leaves are the hashes of its 16 KiB blocks (the last one over the bytes it
/// has); the tree is as wide as the next power of two, and the leaves past the end are 32 zero bytes (not hashes of
/// anything), so a missing subtree of height h is the pad hash <c>z(h)</c>: <c>z(0)</c> = zeros, <c>z(h+1)</c> =
/// SHA-256(z(h) ‖ z(h)). A node is the SHA-256 of its two children side by side.
/// </summary>
internal static class MerkleTree
{
    public const int HashLength = 32;

    /// <summary>The size of a leaf's block: 16 KiB.</summary>
    public const int BlockLength = 16 * 1024;

    /// <summary>The smallest power of two at least <paramref name="count"/> (1 for 0 or 1).</summary>
    public static int Width(long count) => count <= 1 ? 1 : checked((int)BitOperations.RoundUpToPowerOf2((ulong)count));

    /// <summary>The root of a subtree of height <paramref name="height"/> whose leaves are all missing.</summary>
    public static void PadHash(int height, Span<byte> destination)
    {
        Span<byte> pair = stackalloc byte[2 * HashLength];
        destination[..HashLength].Clear();
        for (var level = 0; level < height; level++)
        {
            destination[..HashLength].CopyTo(pair);
            destination[..HashLength].CopyTo(pair[HashLength..]);
            SHA256.HashData(pair, destination);
        }
    }

    /// <summary>
    /// The root over <paramref name="count"/> nodes (32 bytes each, side by side in <paramref name="nodes"/>, which it
    /// overwrites) as the first layer of a tree <paramref name="width"/> wide (a power of two, at least <paramref name="count"/>),
    /// the nodes past <paramref name="count"/> being <paramref name="pad"/>.
    /// </summary>
    public static void Root(Span<byte> nodes, int count, int width, ReadOnlySpan<byte> pad, Span<byte> root)
    {
        if (count < 1 || width < count || !BitOperations.IsPow2(width))
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{count} nodes do not fit a tree {width} wide.");
        }

        Span<byte> pair = stackalloc byte[2 * HashLength];
        Span<byte> padding = stackalloc byte[HashLength];
        pad[..HashLength].CopyTo(padding);
        while (width > 1)
        {
            var parents = (count + 1) / 2;
            for (var i = 0; i < parents; i++)
            {
                nodes.Slice(2 * i * HashLength, HashLength).CopyTo(pair);
                var right = (2 * i) + 1 < count ? nodes.Slice(((2 * i) + 1) * HashLength, HashLength) : padding;
                right.CopyTo(pair[HashLength..]);
                SHA256.HashData(pair, nodes.Slice(i * HashLength, HashLength));
            }

            padding.CopyTo(pair);
            padding.CopyTo(pair[HashLength..]);
            SHA256.HashData(pair, padding);
            count = parents;
            width /= 2;
        }

        nodes[..HashLength].CopyTo(root);
    }
}
