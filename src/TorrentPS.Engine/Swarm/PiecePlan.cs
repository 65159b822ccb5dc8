using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What the <see cref="PiecePicker"/> is to fetch and in which order of preference: the wanted pieces and, for each, a
/// rank. A piece's rank is its priority (the highest of the chosen files holding its bytes: <see cref="FilePriority"/>)
/// and, one step above the other pieces of that priority, whether it is the first or the last piece of a chosen file
/// (with <c>firstAndLastPiecesFirst</c>, for previews: containers keep their index at either end). Rank 0 is a piece not
/// wanted. Immutable; a new plan replaces the picker's when the selection changes.
/// </summary>
internal sealed class PiecePlan
{
    /// <summary>The highest rank: a first or last piece of a <see cref="FilePriority.High"/> file.</summary>
    public const int MaxRank = ((int)FilePriority.High * 2) + 1;

    private readonly byte[] _ranks;

    private PiecePlan(Bitfield wanted, byte[] ranks)
    {
        Wanted = wanted;
        _ranks = ranks;
    }

    public int PieceCount => _ranks.Length;

    /// <summary>The pieces to download.</summary>
    public Bitfield Wanted { get; }

    /// <summary>Piece <paramref name="index"/>'s rank: 0 when not wanted; higher ranks are fetched first.</summary>
    public int Rank(int index) => _ranks[index];

    /// <summary>Every piece of <paramref name="wanted"/> (all when null) at <see cref="FilePriority.Normal"/>.</summary>
    public static PiecePlan Of(int pieceCount, Bitfield? wanted = null)
    {
        if (wanted is not null && wanted.Length != pieceCount)
        {
            throw new ArgumentException($"The wanted pieces are for {wanted.Length} pieces, not {pieceCount}.", nameof(wanted));
        }

        var ranks = new byte[pieceCount];
        var all = wanted?.Clone() ?? AllPieces(pieceCount);
        for (var i = all.NextIndex(0); i >= 0; i = all.NextIndex(i + 1))
        {
            ranks[i] = RankOf(FilePriority.Normal, edge: false);
        }

        return new PiecePlan(all, ranks);
    }

    /// <summary>
    /// A plan from one priority per piece (Skip: not wanted) and, optionally, the pieces ranked first within their
    /// priority (<paramref name="edges"/>: first and last pieces of files).
    /// </summary>
    public static PiecePlan Of(IReadOnlyList<FilePriority> piecePriorities, Bitfield? edges = null)
    {
        ArgumentNullException.ThrowIfNull(piecePriorities);
        if (edges is not null && edges.Length != piecePriorities.Count)
        {
            throw new ArgumentException($"The edges are for {edges.Length} pieces, not {piecePriorities.Count}.", nameof(edges));
        }

        var wanted = new Bitfield(piecePriorities.Count);
        var ranks = new byte[piecePriorities.Count];
        for (var i = 0; i < ranks.Length; i++)
        {
            if (piecePriorities[i] is not FilePriority.Skip and var priority)
            {
                wanted[i] = true;
                ranks[i] = RankOf(priority, edges?[i] == true);
            }
        }

        return new PiecePlan(wanted, ranks);
    }

    /// <summary>
    /// The plan for <paramref name="torrent"/>: the pieces of <paramref name="wanted"/> (null: those of the chosen files,
    /// or every piece), each ranked by <paramref name="piecePriorities"/> (null: all <see cref="FilePriority.Normal"/>; a
    /// wanted piece a priority calls Skip, as a piece fetched alone can be, counts as Normal) and, with
    /// <paramref name="firstAndLastPiecesFirst"/>, by whether it is the first or last piece of a file that
    /// <paramref name="selection"/> chooses (every file when null).
    /// </summary>
    public static PiecePlan For(TorrentInfo torrent, Bitfield? wanted, IReadOnlyList<FilePriority>? piecePriorities, FileSelection? selection, bool firstAndLastPiecesFirst)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        var count = torrent.PieceCount;
        if (piecePriorities is not null && piecePriorities.Count != count)
        {
            throw new ArgumentException($"The priorities are for {piecePriorities.Count} pieces, the torrent has {count}.", nameof(piecePriorities));
        }

        if (wanted is null)
        {
            wanted = new Bitfield(count);
            for (var i = 0; i < count; i++)
            {
                wanted[i] = piecePriorities is null || piecePriorities[i] != FilePriority.Skip;
            }
        }
        else if (wanted.Length != count)
        {
            throw new ArgumentException($"The wanted pieces are for {wanted.Length} pieces, the torrent has {count}.", nameof(wanted));
        }
        else
        {
            wanted = wanted.Clone();
        }

        var edges = firstAndLastPiecesFirst ? EdgePieces(torrent, selection) : null;
        var ranks = new byte[count];
        for (var i = wanted.NextIndex(0); i >= 0; i = wanted.NextIndex(i + 1))
        {
            var priority = piecePriorities?[i] ?? FilePriority.Normal;
            ranks[i] = RankOf(priority == FilePriority.Skip ? FilePriority.Normal : priority, edges?[i] == true);
        }

        return new PiecePlan(wanted, ranks);
    }

    /// <summary>The first and last piece of each file with bytes that <paramref name="selection"/> chooses (padding aside).</summary>
    public static Bitfield EdgePieces(TorrentInfo torrent, FileSelection? selection)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        var edges = new Bitfield(torrent.PieceCount);
        var files = torrent.Files;
        for (var f = 0; f < files.Count; f++)
        {
            var file = files[f];
            if (file.IsPadding || file.Length == 0 || (selection is not null && (f >= selection.FileCount || !selection.IsSelected(f))))
            {
                continue;
            }

            edges[(int)(file.Offset / torrent.PieceLength)] = true;
            edges[(int)((file.Offset + file.Length - 1) / torrent.PieceLength)] = true;
        }

        return edges;
    }

    private static byte RankOf(FilePriority priority, bool edge) => priority is < FilePriority.Low or > FilePriority.High
        ? throw new ArgumentOutOfRangeException(nameof(priority), priority, "A wanted piece is Low, Normal or High.")
        : (byte)(((int)priority * 2) + (edge ? 1 : 0));

    private static Bitfield AllPieces(int count)
    {
        var all = new Bitfield(count);
        all.SetAll();
        return all;
    }
}
