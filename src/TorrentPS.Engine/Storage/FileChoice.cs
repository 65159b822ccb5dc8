using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Which files a user asked for, before the torrent is known (a magnet link's metadata comes later): paths with
/// wildcards to take (<c>-File</c>, <c>--file</c>) and to leave (<c>-ExcludeFile</c>, <c>--exclude</c>), read as
/// <see cref="FileSelection"/> reads them. <see cref="Resolve"/> makes the <see cref="FileSelection"/> once the torrent's
/// files are known. Immutable.
/// </summary>
/// <remarks>
/// As Get-ChildItem treats paths, a pattern without wildcards names one file and naming one the torrent does not have
/// is an error (<c>FileNotInTorrent</c>), while a wildcard that matches nothing is not; a choice that leaves no file
/// at all is an error (<c>NoFileSelected</c>). A TorrentFile object is taken by its path, escaped
/// (<see cref="Literal"/>), so brackets or asterisks in a name are not read as wildcards. Excluding a file the torrent
/// does not have is no error.
/// </remarks>
public sealed record FileChoice
{
    /// <summary>Every file: no pattern to take or leave.</summary>
    public static FileChoice Everything { get; } = new();

    /// <summary>Paths (wildcards allowed) of the files to take; every file when empty.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>Paths (wildcards allowed) of the files to leave, among those <see cref="Include"/> takes.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Whether every file is taken (no pattern given).</summary>
    public bool IsEverything => Include.Count == 0 && Exclude.Count == 0;

    /// <summary>The files matching <paramref name="include"/> (every file when null or empty) and none of <paramref name="exclude"/>.</summary>
    public static FileChoice Of(IEnumerable<string>? include, IEnumerable<string>? exclude = null)
        => new() { Include = Clean(include), Exclude = Clean(exclude) };

    /// <summary>The pattern that matches the file at <paramref name="path"/> (a <see cref="TorrentFile.Path"/>) and nothing else.</summary>
    public static string Literal(string path) => FilePattern.Escape(path);

    /// <summary>Checks the patterns alone (before the torrent is known).</summary>
    /// <exception cref="TorrentPSException">InvalidFilePattern.</exception>
    public void Validate()
    {
        foreach (var pattern in Include.Concat(Exclude))
        {
            FilePattern.Parse(pattern);
        }
    }

    /// <summary>
    /// The selection this choice makes of <paramref name="torrent"/>'s files: those taken at
    /// <see cref="FilePriority.Normal"/>, the others skipped (every file for <see cref="Everything"/>).
    /// </summary>
    /// <exception cref="TorrentPSException">
    /// InvalidFilePattern; FileNotInTorrent (a path without wildcards that names no file of the torrent); NoFileSelected
    /// (nothing left to download).
    /// </exception>
    public FileSelection Resolve(TorrentInfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        if (IsEverything)
        {
            return FileSelection.All(torrent.Files.Count);
        }

        CheckLiterals(torrent);
        var selection = FileSelection.FromPatterns(torrent, Include, Exclude);
        if (selection.SelectedCount == 0)
        {
            throw new TorrentPSException(
                "NoFileSelected",
                TorrentErrorKind.InvalidArgument,
                $"No file of '{torrent.Name}' is left to download: {Describe()} takes none of its {Counted(torrent)} files.");
        }

        return selection;
    }

    /// <summary>The indexes of the files this choice takes (padding files never), ascending; every file for <see cref="Everything"/>.</summary>
    /// <exception cref="TorrentPSException">InvalidFilePattern; FileNotInTorrent (a path without wildcards that names no file of the torrent).</exception>
    public IReadOnlyList<int> FindFiles(TorrentInfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        CheckLiterals(torrent);
        var selection = FileSelection.FromPatterns(torrent, Include, Exclude);
        return Enumerable.Range(0, selection.FileCount).Where(selection.IsSelected).ToArray();
    }

    /// <summary>e.g. <c>'*.mkv' except 'sample/*'</c>, for messages.</summary>
    public string Describe()
    {
        var include = Include.Count == 0 ? "every file" : string.Join(", ", Include.Select(p => $"'{p}'"));
        return Exclude.Count == 0 ? include : $"{include} except {string.Join(", ", Exclude.Select(p => $"'{p}'"))}";
    }

    public override string ToString() => Describe();

    private void CheckLiterals(TorrentInfo torrent)
    {
        foreach (var text in Include)
        {
            if (!FilePattern.Parse(text).HasWildcards && FileSelection.FindFiles(torrent, [text]).Count == 0)
            {
                throw new TorrentPSException(
                    "FileNotInTorrent",
                    TorrentErrorKind.ObjectNotFound,
                    $"'{torrent.Name}' has no file '{text}'. Its files are named by their path inside the torrent, '/' between folders (Get-TorrentInfo lists them); wildcards choose several.");
            }
        }
    }

    private static int Counted(TorrentInfo torrent) => torrent.Files.Count(f => !f.IsPadding);

    private static string[] Clean(IEnumerable<string>? patterns)
        => patterns?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];

    public bool Equals(FileChoice? other)
        => other is not null && Include.SequenceEqual(other.Include, StringComparer.Ordinal) && Exclude.SequenceEqual(other.Exclude, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Include.Count, Exclude.Count, Include.FirstOrDefault(), Exclude.FirstOrDefault());
}
