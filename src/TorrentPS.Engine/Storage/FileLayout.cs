using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// How a torrent's pieces map onto its files: the files' contents concatenated in order (padding files included) form
/// one stream of <see cref="Length"/> bytes, cut into pieces of <see cref="PieceLength"/> bytes (the last may be
/// shorter). Immutable and thread-safe; the hot-path lookups (<see cref="GetSpans(int, int, int)"/>) do not allocate.
/// </summary>
public sealed class FileLayout
{
    private readonly long[] _offsets;
    private readonly long[] _lengths;
    private readonly bool[] _padding;

    /// <summary>The layout of <paramref name="torrent"/>'s files.</summary>
    internal FileLayout(TorrentInfo torrent)
        : this(
            NotNull(torrent).PieceLength,
            torrent.Files.Select(f => f.Length).ToArray(),
            torrent.Files.Select(f => f.IsPadding).ToArray())
    {
        if (PieceCount != torrent.PieceCount)
        {
            throw new ArgumentException($"The torrent has {torrent.PieceCount} piece hashes for {PieceCount} pieces of content.", nameof(torrent));
        }
    }

    /// <summary>A layout of files with the given lengths (and padding flags), cut into pieces of <paramref name="pieceLength"/>.</summary>
    internal FileLayout(long pieceLength, IReadOnlyList<long> fileLengths, IReadOnlyList<bool>? isPadding = null)
    {
        ArgumentNullException.ThrowIfNull(fileLengths);
        if (pieceLength is <= 0 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(pieceLength), pieceLength, "A piece is 1 byte to 2 GiB long.");
        }

        if (isPadding is not null && isPadding.Count != fileLengths.Count)
        {
            throw new ArgumentException("One padding flag per file.", nameof(isPadding));
        }

        PieceLength = (int)pieceLength;
        _offsets = new long[fileLengths.Count];
        _lengths = new long[fileLengths.Count];
        _padding = new bool[fileLengths.Count];
        long offset = 0;
        for (var i = 0; i < fileLengths.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(fileLengths[i], nameof(fileLengths));
            _offsets[i] = offset;
            _lengths[i] = fileLengths[i];
            _padding[i] = isPadding?[i] ?? false;
            offset = checked(offset + fileLengths[i]);
        }

        Length = offset;
        var pieces = (offset + PieceLength - 1) / PieceLength;
        PieceCount = pieces <= int.MaxValue ? (int)pieces : throw new ArgumentException("More pieces than a torrent can have.", nameof(fileLengths));
    }

    internal int PieceCount { get; }

    internal int PieceLength { get; }

    /// <summary>The content's length in bytes, padding files included.</summary>
    internal long Length { get; }

    internal int FileCount => _lengths.Length;

    /// <summary>The layout of <paramref name="torrent"/>'s files.</summary>
    public static FileLayout For(TorrentInfo torrent) => new(torrent);

    internal long GetFileLength(int fileIndex) => _lengths[fileIndex];

    /// <summary>Where file <paramref name="fileIndex"/> starts in the content.</summary>
    internal long GetFileOffset(int fileIndex) => _offsets[fileIndex];

    internal bool IsPadding(int fileIndex) => _padding[fileIndex];

    /// <summary>Where piece <paramref name="piece"/> starts in the content.</summary>
    internal long GetPieceOffset(int piece)
    {
        CheckPiece(piece);
        return (long)piece * PieceLength;
    }

    /// <summary>The length of piece <paramref name="piece"/>: <see cref="PieceLength"/>, or less for the last one.</summary>
    internal int GetPieceSize(int piece)
    {
        CheckPiece(piece);
        return piece == PieceCount - 1 ? (int)(Length - ((long)piece * PieceLength)) : PieceLength;
    }

    /// <summary>The file spans of <paramref name="length"/> bytes at <paramref name="begin"/> in piece <paramref name="piece"/> (a block, or the whole piece).</summary>
    internal FileSpanEnumerator GetSpans(int piece, int begin, int length)
    {
        var size = GetPieceSize(piece);
        if (begin < 0 || length < 0 || begin > size - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes at {begin} do not fit in piece {piece} of {size} bytes.");
        }

        return new FileSpanEnumerator(this, ((long)piece * PieceLength) + begin, length);
    }

    /// <summary>The file spans of <paramref name="length"/> bytes at <paramref name="offset"/> in the content.</summary>
    internal FileSpanEnumerator GetSpans(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes at {offset} do not fit in {Length} bytes of content.");
        }

        return new FileSpanEnumerator(this, offset, length);
    }

    /// <summary>
    /// The first and last file holding bytes of piece <paramref name="piece"/>. Zero-length files between them (by
    /// index) are in the range; those before the first or after the last are not.
    /// </summary>
    internal (int First, int Last) GetFileRange(int piece)
    {
        var start = GetPieceOffset(piece);
        return (FindFile(start), FindFile(start + GetPieceSize(piece) - 1));
    }

    /// <summary>
    /// The first and last piece holding bytes of file <paramref name="fileIndex"/>. A zero-length file holds no bytes:
    /// its range is empty (<c>Last == First - 1</c>), with First the piece where the file stands (the piece holding the
    /// next byte of content, or <see cref="PieceCount"/> when it stands at the end).
    /// </summary>
    public (int First, int Last) GetPieceRange(int fileIndex)
    {
        var first = (int)(_offsets[fileIndex] / PieceLength);
        if (_lengths[fileIndex] == 0)
        {
            return (first, first - 1);
        }

        return (first, (int)((_offsets[fileIndex] + _lengths[fileIndex] - 1) / PieceLength));
    }

    /// <summary>The file holding byte <paramref name="offset"/> of the content (never a zero-length file).</summary>
    internal int FindFile(long offset)
    {
        if ((ulong)offset >= (ulong)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"The content has bytes 0 to {Length - 1}.");
        }

        // The last file starting at or before the offset: zero-length files share their offset with the file after
        // them, so the search passes over them.
        int low = 0, high = _offsets.Length - 1;
        while (low < high)
        {
            var mid = low + ((high - low + 1) / 2);
            if (_offsets[mid] <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private void CheckPiece(int piece)
    {
        if ((uint)piece >= (uint)PieceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(piece), piece, $"The torrent has pieces 0 to {PieceCount - 1}.");
        }
    }

    private static TorrentInfo NotNull(TorrentInfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return torrent;
    }
}
