using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Which files of a torrent to download and how eagerly: one <see cref="FilePriority"/> per file, indexed as
/// <see cref="TorrentInfo.Files"/> (padding files included; their priority is ignored, they are never on disk).
/// Immutable: every change returns a new selection. Gives the picker its two maps, <see cref="WantedPieces"/> and
/// <see cref="PiecePriorities"/>.
/// </summary>
/// <remarks>
/// Files are chosen by wildcards over <see cref="TorrentFile.Path"/> (the '/'-separated path below the torrent's folder;
/// for a single-file torrent, its name), read as PowerShell's <c>-like</c> reads them: <c>*</c> any run of characters
/// ('/' included), <c>?</c> one character, <c>[a-z]</c> and <c>[abc]</c> one of a range or set, a backtick escapes; the
/// whole path must match, ordinally and ignoring case; a backslash in a pattern stands for '/'.
/// </remarks>
public sealed class FileSelection : IEquatable<FileSelection>
{
    private readonly FilePriority[] _priorities;

    private FileSelection(FilePriority[] priorities) => _priorities = priorities;

    /// <summary>The number of files (padding files included).</summary>
    public int FileCount => _priorities.Length;

    /// <summary>The priority of each file.</summary>
    public IReadOnlyList<FilePriority> Priorities => _priorities;

    /// <summary>The priority of file <paramref name="fileIndex"/>.</summary>
    public FilePriority this[int fileIndex] => _priorities[fileIndex];

    /// <summary>Every file at <paramref name="priority"/> (by default <see cref="FilePriority.Normal"/>): the whole torrent.</summary>
    public static FileSelection All(int fileCount, FilePriority priority = FilePriority.Normal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileCount);
        CheckPriority(priority);
        var priorities = new FilePriority[fileCount];
        Array.Fill(priorities, priority);
        return new FileSelection(priorities);
    }

    /// <summary>A selection from one priority per file.</summary>
    public static FileSelection FromPriorities(IReadOnlyList<FilePriority> priorities)
    {
        ArgumentNullException.ThrowIfNull(priorities);
        var copy = new FilePriority[priorities.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            CheckPriority(priorities[i]);
            copy[i] = priorities[i];
        }

        return new FileSelection(copy);
    }

    /// <summary>
    /// The files of <paramref name="torrent"/> whose path matches at least one of <paramref name="include"/> (every file
    /// when it is null or empty) and none of <paramref name="exclude"/>, at <see cref="FilePriority.Normal"/>; the others
    /// at <see cref="FilePriority.Skip"/>. Padding files are never chosen. A selection that chooses nothing is allowed
    /// (the caller decides whether that is an error: see <see cref="SelectedCount"/>).
    /// </summary>
    /// <exception cref="Errors.TorrentPSException">InvalidFilePattern: a pattern is not a valid wildcard.</exception>
    public static FileSelection FromPatterns(TorrentInfo torrent, IEnumerable<string>? include, IEnumerable<string>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        var includes = Parse(include);
        var excludes = Parse(exclude);
        var priorities = new FilePriority[torrent.Files.Count];
        for (var i = 0; i < priorities.Length; i++)
        {
            var file = torrent.Files[i];
            var chosen = !file.IsPadding
                && (includes.Length == 0 || MatchesAny(includes, file.Path))
                && !MatchesAny(excludes, file.Path);
            priorities[i] = chosen ? FilePriority.Normal : FilePriority.Skip;
        }

        return new FileSelection(priorities);
    }

    /// <summary>The indexes of <paramref name="torrent"/>'s files (padding files left out) whose path matches at least one of <paramref name="patterns"/>, ascending.</summary>
    /// <exception cref="Errors.TorrentPSException">InvalidFilePattern: a pattern is not a valid wildcard.</exception>
    public static IReadOnlyList<int> FindFiles(TorrentInfo torrent, IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentNullException.ThrowIfNull(patterns);
        var parsed = Parse(patterns);
        var found = new List<int>();
        for (var i = 0; i < torrent.Files.Count; i++)
        {
            if (!torrent.Files[i].IsPadding && MatchesAny(parsed, torrent.Files[i].Path))
            {
                found.Add(i);
            }
        }

        return found;
    }

    /// <summary>Whether file <paramref name="fileIndex"/> is downloaded (any priority but <see cref="FilePriority.Skip"/>).</summary>
    public bool IsSelected(int fileIndex) => _priorities[fileIndex] != FilePriority.Skip;

    /// <summary>How many files are not skipped (padding files count when their priority says so; <see cref="FromPatterns"/> never selects them).</summary>
    public int SelectedCount
    {
        get
        {
            var count = 0;
            foreach (var priority in _priorities)
            {
                count += priority == FilePriority.Skip ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>The same selection with file <paramref name="fileIndex"/> at <paramref name="priority"/>.</summary>
    public FileSelection WithPriority(int fileIndex, FilePriority priority) => WithPriority([fileIndex], priority);

    /// <summary>The same selection with every file of <paramref name="fileIndexes"/> at <paramref name="priority"/>.</summary>
    public FileSelection WithPriority(IEnumerable<int> fileIndexes, FilePriority priority)
    {
        ArgumentNullException.ThrowIfNull(fileIndexes);
        CheckPriority(priority);
        var copy = (FilePriority[])_priorities.Clone();
        foreach (var index in fileIndexes)
        {
            if ((uint)index >= (uint)copy.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(fileIndexes), index, $"The torrent has files 0 to {copy.Length - 1}.");
            }

            copy[index] = priority;
        }

        return new FileSelection(copy);
    }

    /// <summary>
    /// The pieces to download: those holding at least one byte of a file that is not skipped (padding files and
    /// zero-length files hold no such byte). A piece shared by a chosen and a skipped file is wanted.
    /// </summary>
    public Bitfield WantedPieces(FileLayout layout)
    {
        CheckLayout(layout);
        var wanted = new Bitfield(layout.PieceCount);
        for (var file = 0; file < layout.FileCount; file++)
        {
            if (!Holds(layout, file))
            {
                continue;
            }

            var (first, last) = layout.GetPieceRange(file);
            for (var piece = first; piece <= last; piece++)
            {
                wanted[piece] = true;
            }
        }

        return wanted;
    }

    /// <summary>
    /// Per piece, the highest priority of the files holding its bytes (padding and skipped files aside):
    /// <see cref="FilePriority.Skip"/> for a piece that holds only bytes of skipped or padding files.
    /// </summary>
    public FilePriority[] PiecePriorities(FileLayout layout)
    {
        CheckLayout(layout);
        var priorities = new FilePriority[layout.PieceCount];
        for (var file = 0; file < layout.FileCount; file++)
        {
            if (!Holds(layout, file))
            {
                continue;
            }

            var priority = _priorities[file];
            var (first, last) = layout.GetPieceRange(file);
            for (var piece = first; piece <= last; piece++)
            {
                if (priority > priorities[piece])
                {
                    priorities[piece] = priority;
                }
            }
        }

        return priorities;
    }

    /// <summary>
    /// Whether piece <paramref name="piece"/> holds bytes of a skipped file (padding aside): such a piece, when
    /// written, is kept whole in the part file.
    /// </summary>
    public bool TouchesSkippedFile(FileLayout layout, int piece)
    {
        var (first, last) = layout.GetFileRange(piece);
        for (var file = first; file <= last; file++)
        {
            if (!IsSelected(file) && !layout.IsPadding(file) && layout.GetFileLength(file) > 0)
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(FileSelection? other) => other is not null && _priorities.AsSpan().SequenceEqual(other._priorities);

    public override bool Equals(object? obj) => Equals(obj as FileSelection);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var priority in _priorities)
        {
            hash.Add(priority);
        }

        return hash.ToHashCode();
    }

    /// <summary>e.g. <c>3 of 5 files selected</c>.</summary>
    public override string ToString() => $"{SelectedCount} of {FileCount} files selected";

    /// <summary>A non-padding file with bytes and a priority other than Skip.</summary>
    private bool Holds(FileLayout layout, int file)
        => _priorities[file] != FilePriority.Skip && !layout.IsPadding(file) && layout.GetFileLength(file) > 0;

    private void CheckLayout(FileLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.FileCount != _priorities.Length)
        {
            throw new ArgumentException($"The selection is for {_priorities.Length} files, the layout has {layout.FileCount}.", nameof(layout));
        }
    }

    private static FilePattern[] Parse(IEnumerable<string>? patterns)
        => patterns is null ? [] : patterns.Where(p => p is not null).Select(FilePattern.Parse).ToArray();

    private static bool MatchesAny(FilePattern[] patterns, string path)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.IsMatch(path))
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckPriority(FilePriority priority)
    {
        if (priority is < FilePriority.Skip or > FilePriority.High)
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "A priority is Skip, Low, Normal or High.");
        }
    }
}
