using System.Security.Cryptography;

namespace TorrentPS.Engine.Tests.Creation;

/// <summary>
/// BEP 52's merkle hashes computed the plain way, from the BEP's words and nothing of the engine: every 16 KiB block hashed
/// (the last over the bytes it has), zero leaves up to a power of two, pairs hashed until one is left.
/// </summary>
internal static class ReferenceMerkle
{
    private const int Block = 16 * 1024;

    /// <summary>A non-empty file's <c>pieces root</c>.</summary>
    public static byte[] FileRoot(byte[] file) => Reduce(Leaves(file), Width(Leaves(file).Count));

    /// <summary>The file's piece layer: the root of each piece's subtree (a piece's worth of leaves), side by side.</summary>
    public static byte[] PieceLayer(byte[] file, int pieceLength)
    {
        var layer = new List<byte>();
        for (var offset = 0; offset < file.Length; offset += pieceLength)
        {
            var piece = file.AsSpan(offset, Math.Min(pieceLength, file.Length - offset)).ToArray();
            layer.AddRange(Reduce(Leaves(piece), pieceLength / Block));
        }

        return [.. layer];
    }

    private static List<byte[]> Leaves(byte[] data)
    {
        var leaves = new List<byte[]>();
        for (var offset = 0; offset < data.Length; offset += Block)
        {
            leaves.Add(SHA256.HashData(data.AsSpan(offset, Math.Min(Block, data.Length - offset))));
        }

        return leaves;
    }

    private static int Width(int count)
    {
        var width = 1;
        while (width < count)
        {
            width *= 2;
        }

        return width;
    }

    private static byte[] Reduce(List<byte[]> leaves, int width)
    {
        var layer = new List<byte[]>(leaves);
        while (layer.Count < width)
        {
            layer.Add(new byte[32]);
        }

        while (layer.Count > 1)
        {
            var next = new List<byte[]>();
            for (var i = 0; i < layer.Count; i += 2)
            {
                next.Add(SHA256.HashData([.. layer[i], .. layer[i + 1]]));
            }

            layer = next;
        }

        return layer[0];
    }
}
