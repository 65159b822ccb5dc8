using System.Globalization;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// The bencoded info dictionary of new content, and a hybrid's <c>piece layers</c>. Keys are written in canonical order
/// (<see cref="BencodeWriter.WriteValue"/> sorts them), so the info hash is the one every client computes.
/// </summary>
/// <remarks>
/// The info dictionary holds only what BEP 3, 27 and 52 define plus <c>source</c>: <c>name</c>, <c>piece length</c>,
/// <c>pieces</c>, <c>length</c> or <c>files</c>, <c>private</c> (1, when asked), <c>source</c> (when given), and for a
/// hybrid <c>file tree</c> and <c>meta version</c> 2. No BEP 47 attributes other than <c>p</c> on padding files are
/// written (no <c>x</c> for executables, no <c>h</c> for hidden files) and no modification times: the info hash then
/// depends on the files' names, lengths and bytes alone, and a v1 torrent is the one mktorrent makes of the same files.
/// </remarks>
internal static class MetainfoBuilder
{
    /// <summary>The info dictionary's bytes.</summary>
    public static byte[] BuildInfo(CreationLayout layout, ContentHashes hashes, bool isPrivate, string? source)
    {
        var scan = layout.Scan;
        var info = new List<KeyValuePair<string, BencodeValue>>
        {
            new("name", new BencodeString(scan.Name)),
            new("piece length", new BencodeInteger(layout.PieceLength)),
            new("pieces", new BencodeString(hashes.Pieces)),
        };

        if (scan.IsFolder)
        {
            var files = new List<BencodeValue>(layout.Entries.Count);
            foreach (var entry in layout.Entries)
            {
                files.Add(entry.IsPadding ? PaddingEntry(entry.Length) : FileEntry(scan.Files[entry.SourceIndex]));
            }

            info.Add(new("files", new BencodeList(files)));
        }
        else
        {
            info.Add(new("length", new BencodeInteger(scan.Files[0].Length)));
        }

        if (isPrivate)
        {
            info.Add(new("private", new BencodeInteger(1)));
        }

        if (!string.IsNullOrEmpty(source))
        {
            info.Add(new("source", new BencodeString(source)));
        }

        if (layout.IsHybrid)
        {
            info.Add(new("meta version", new BencodeInteger(2)));
            info.Add(new("file tree", FileTree(scan, hashes.FileRoots!)));
        }

        return BencodeEncoder.Encode(new BencodeDictionary(info));
    }

    /// <summary>
    /// A hybrid's <c>piece layers</c>: for each file larger than one piece, its root mapped to its piece layer (files of
    /// identical content share one root, so one entry); empty when no file is larger than a piece.
    /// </summary>
    public static byte[] BuildPieceLayers(ContentHashes hashes)
    {
        var layers = new Dictionary<string, KeyValuePair<BencodeString, BencodeValue>>(StringComparer.Ordinal);
        for (var file = 0; file < hashes.FileRoots!.Length; file++)
        {
            if (hashes.FileRoots[file] is { } root && hashes.FilePieceHashes![file] is { Length: > MerkleTree.HashLength } layer)
            {
                layers.TryAdd(Convert.ToHexString(root), new(new BencodeString(root), new BencodeString(layer)));
            }
        }

        return BencodeEncoder.Encode(new BencodeDictionary(layers.Values));
    }

    private static BencodeDictionary FileEntry(SourceFile file)
        => new(
        [
            new KeyValuePair<string, BencodeValue>("length", new BencodeInteger(file.Length)),
            new("path", new BencodeList(file.Segments.Select(s => (BencodeValue)new BencodeString(s)).ToList())),
        ]);

    /// <summary>A BEP 47 padding file, named as libtorrent names them: <c>.pad/&lt;length&gt;</c>.</summary>
    private static BencodeDictionary PaddingEntry(long length)
        => new(
        [
            new KeyValuePair<string, BencodeValue>("attr", new BencodeString("p")),
            new("length", new BencodeInteger(length)),
            new("path", new BencodeList([new BencodeString(".pad"), new BencodeString(length.ToString(CultureInfo.InvariantCulture))])),
        ]);

    /// <summary>
    /// BEP 52's <c>file tree</c>: a dictionary per folder, a file being a dictionary whose one key is the empty string,
    /// holding <c>length</c> and, when it is not empty, <c>pieces root</c>. A single-file torrent's tree is its name.
    /// </summary>
    private static BencodeDictionary FileTree(ContentScan scan, byte[]?[] roots)
    {
        var top = new Folder();
        for (var i = 0; i < scan.Files.Count; i++)
        {
            var file = scan.Files[i];
            IReadOnlyList<string> segments = scan.IsFolder ? file.Segments : [scan.Name];
            var folder = top;
            for (var s = 0; s < segments.Count - 1; s++)
            {
                if (!folder.Folders.TryGetValue(segments[s], out var child))
                {
                    folder.Folders[segments[s]] = child = new Folder();
                }

                folder = child;
            }

            var leaf = new List<KeyValuePair<string, BencodeValue>> { new("length", new BencodeInteger(file.Length)) };
            if (roots[i] is { } root)
            {
                leaf.Add(new("pieces root", new BencodeString(root)));
            }

            folder.Files[segments[^1]] = new BencodeDictionary([new KeyValuePair<string, BencodeValue>(string.Empty, new BencodeDictionary(leaf))]);
        }

        return top.ToBencode();
    }

    /// <summary>A folder of the file tree being built.</summary>
    private sealed class Folder
    {
        public Dictionary<string, Folder> Folders { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, BencodeDictionary> Files { get; } = new(StringComparer.Ordinal);

        public BencodeDictionary ToBencode()
            => new(Folders.Select(f => new KeyValuePair<string, BencodeValue>(f.Key, f.Value.ToBencode()))
                .Concat(Files.Select(f => new KeyValuePair<string, BencodeValue>(f.Key, f.Value))));
    }
}
