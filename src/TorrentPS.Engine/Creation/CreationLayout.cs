using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// The v1 view of new content: its files one after another, cut into pieces. In a hybrid torrent of several files a BEP 47
/// padding file (attribute <c>p</c>, path <c>.pad/&lt;length&gt;</c>) follows every non-empty file that does not end on a
/// piece boundary, the last one included, so every file starts on a piece boundary and each v1 piece holds the bytes of
/// one file, which BEP 52 asks of a hybrid. That is libtorrent's layout exactly: the same files and piece length give the
/// same info hashes there and here. A single-file torrent is never padded, and a v1 torrent neither (as mktorrent).
/// </summary>
internal sealed class CreationLayout
{
    public CreationLayout(ContentScan scan, long pieceLength, TorrentVersion version)
    {
        Scan = scan;
        PieceLength = pieceLength;
        Version = version;
        var entries = new List<Entry>(scan.Files.Count * (version == TorrentVersion.Hybrid ? 2 : 1));
        long offset = 0;
        for (var i = 0; i < scan.Files.Count; i++)
        {
            var length = scan.Files[i].Length;
            entries.Add(new Entry(i, length, offset));
            offset = checked(offset + length);
            if (version == TorrentVersion.Hybrid && scan.IsFolder && length > 0 && offset % pieceLength != 0)
            {
                var pad = pieceLength - (offset % pieceLength);
                entries.Add(new Entry(-1, pad, offset));
                offset += pad;
            }
        }

        Entries = entries;
        Files = new FileLayout(pieceLength, entries.Select(e => e.Length).ToArray(), entries.Select(e => e.IsPadding).ToArray());
    }

    public ContentScan Scan { get; }

    public long PieceLength { get; }

    public TorrentVersion Version { get; }

    public bool IsHybrid => Version == TorrentVersion.Hybrid;

    /// <summary>The files of the v1 view, padding included, in order.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>The same as a storage layout: spans of pieces in files.</summary>
    public FileLayout Files { get; }

    /// <summary>One file of the v1 view: a file of the content (<see cref="SourceIndex"/> in the scan) or padding (-1).</summary>
    public readonly record struct Entry(int SourceIndex, long Length, long Offset)
    {
        public bool IsPadding => SourceIndex < 0;
    }
}
