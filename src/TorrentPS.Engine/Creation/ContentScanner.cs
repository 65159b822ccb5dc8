using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// Lists the files a new torrent holds: one file, or every file below a folder, in <see cref="PathSegmentOrder"/>.
/// </summary>
/// <remarks>
/// What goes in, deliberately:
/// <list type="bullet">
/// <item><b>Hidden files</b> (names starting with '.', and on Windows files with the Hidden or System attribute) are
/// included, as mktorrent and libtorrent include them: the same folder makes the same torrent whatever the tool, and
/// nothing the user put in the folder is silently missing. Leave them out with an exclude pattern such as <c>.*</c>.
/// The one folder always left out is TorrentPS's own state folder (<c>.torrentps</c>: resume data that changes while a
/// torrent runs, never content), and the one file the .torrent being made is written to.</item>
/// <item><b>Empty files</b> are included with length 0.</item>
/// <item><b>Empty folders</b> cannot be represented (a torrent lists files; BEP 3's file list has no entry for a folder, and
/// BEP 52's file tree is not used for them by clients), so they are left out and listed in <see cref="ContentScan.Skipped"/>.
/// A folder with nothing to share at all is an <c>EmptyContent</c> error.</item>
/// <item><b>Symbolic links</b> (and junctions) to a file inside the content folder are followed: the file appears under
/// the link's name with its target's bytes, as mktorrent does. Links to folders are never followed (they could loop, or
/// put the same files in twice), and links that lead out of the content folder (however many links lie on the way),
/// dangling links and link loops are left out: sharing a folder must not publish what lies outside it. Each one left out
/// is listed in <see cref="ContentScan.Skipped"/>. A link given as the content itself is followed.</item>
/// <item><b>Names</b> are taken as the file system gives them (UTF-8 in the torrent, in the normalization form they have
/// on disk: no NFC or NFD conversion, so a file's name in the torrent is exactly the name it has).</item>
/// <item>Special files (pipes, sockets, devices) cannot be told from regular files through .NET on Unix; they report a
/// length of 0, so they are listed as empty files and never opened.</item>
/// </list>
/// A folder that cannot be read is an error (StorageAccessDenied), not a silent gap in the torrent.
/// </remarks>
internal static class ContentScanner
{
    private static readonly EnumerationOptions EveryEntry = new()
    {
        AttributesToSkip = 0, // hidden and system entries too
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
        MatchType = MatchType.Simple,
    };

    /// <summary>Lists the file or folder at <paramref name="path"/>.</summary>
    /// <param name="outputPath">The .torrent file the torrent will be written to: left out when it lies in the folder (a
    /// torrent of a folder written into that folder must not hold itself, nor an earlier version of itself).</param>
    /// <exception cref="TorrentPSException">PathNotFound, EmptyContent, or a StorageException when a folder cannot be read.</exception>
    public static ContentScan Scan(string path, ExcludePatterns exclude, CancellationToken cancellationToken, string? outputPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var given = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var name = NameOf(given);
        var real = RealPath.Resolve(given)
                   ?? throw new TorrentPSException("PathNotFound", TorrentErrorKind.ObjectNotFound, $"'{given}' is a loop of symbolic links.");
        if (string.IsNullOrEmpty(name))
        {
            throw new TorrentPSException("InvalidContentPath", TorrentErrorKind.InvalidArgument, $"'{given}' has no name to give the torrent: share a file or a folder below it.");
        }

        if (File.Exists(real))
        {
            var info = new FileInfo(real);
            var file = new SourceFile([name], real, info.Length, info.LastWriteTimeUtc);
            return new ContentScan(name, given, false, [file], []);
        }

        if (!Directory.Exists(real))
        {
            throw new TorrentPSException("PathNotFound", TorrentErrorKind.ObjectNotFound, $"Cannot find '{given}': there is no file or folder there.");
        }

        var files = new List<SourceFile>();
        var skipped = new List<SkippedContent>();
        var output = outputPath is null ? null : RealPath.Resolve(outputPath);
        Walk(new Walker(real, exclude, output, files, skipped, cancellationToken), real, []);
        files.Sort((a, b) => PathSegmentOrder.Instance.Compare(a.Segments, b.Segments));
        skipped.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return new ContentScan(name, given, true, files, skipped);
    }

    /// <summary>The torrent's name for the content at <paramref name="path"/>: the file's or folder's name as the path gives it (a link's own name).</summary>
    public static string NameOf(string path) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));

    /// <summary>Adds the files below <paramref name="folder"/>; returns whether it holds any (an empty one is recorded as skipped).</summary>
    private static bool Walk(Walker walk, string folder, string[] segments)
    {
        walk.CancellationToken.ThrowIfCancellationRequested();
        var found = false;
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(folder).EnumerateFileSystemInfos("*", EveryEntry).ToArray();
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, folder, writing: false);
        }

        foreach (var entry in entries)
        {
            string[] entrySegments = [.. segments, entry.Name];
            var relative = string.Join('/', entrySegments);
            if (walk.Exclude.Excludes(entry.Name, relative) || walk.IsOutput(entry.FullName))
            {
                continue;
            }

            if (entry.LinkTarget is not null)
            {
                found |= AddLink(walk.Root, entry, entrySegments, relative, walk.Files, walk.Skipped);
            }
            else if (entry is DirectoryInfo directory)
            {
                if (entry.Name == ContentLocation.StateFolderName)
                {
                    walk.Skipped.Add(new SkippedContent(relative, "TorrentPS's state folder (resume data), never content"));
                    continue;
                }

                if (Walk(walk, directory.FullName, entrySegments))
                {
                    found = true;
                }
                else
                {
                    walk.Skipped.Add(new SkippedContent(relative, "a folder with no file to share (a torrent lists files, not folders)"));
                }
            }
            else if (entry is FileInfo file)
            {
                walk.Files.Add(new SourceFile(entrySegments, file.FullName, file.Length, file.LastWriteTimeUtc));
                found = true;
            }
        }

        return found;
    }

    /// <summary>Adds a link to a file inside the content folder (its target's bytes under the link's name); anything else is skipped.</summary>
    private static bool AddLink(string root, FileSystemInfo link, string[] segments, string relative, List<SourceFile> files, List<SkippedContent> skipped)
    {
        var target = RealPath.Resolve(link.FullName);
        string? reason = null;
        if (target is null)
        {
            reason = "a loop of symbolic links";
        }
        else if (Directory.Exists(target))
        {
            reason = "a link to a folder (never followed: it could loop or share files twice)";
        }
        else if (!File.Exists(target))
        {
            reason = "a link to nothing (its target does not exist)";
        }
        else if (!RealPath.IsWithin(target, root))
        {
            reason = "a link that leads out of the content folder";
        }

        if (reason is not null)
        {
            skipped.Add(new SkippedContent(relative, reason));
            return false;
        }

        var info = new FileInfo(target!);
        files.Add(new SourceFile(segments, target!, info.Length, info.LastWriteTimeUtc));
        return true;
    }

    /// <summary>One listing's settings and results, shared by every folder it walks.</summary>
    private sealed record Walker(string Root, ExcludePatterns Exclude, string? Output, List<SourceFile> Files, List<SkippedContent> Skipped, CancellationToken CancellationToken)
    {
        public bool IsOutput(string path)
            => Output is not null && string.Equals(path, Output, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
