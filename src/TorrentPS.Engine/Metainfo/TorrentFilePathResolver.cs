using System.Text;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Makes the (already sanitised) file paths of a multi-file torrent unique, so no two files share a
/// path on disk and no file stands where another file needs a folder. Compared without regard to case,
/// so a torrent lands the same way on every file system. A clash renames the later file (or folder) by
/// adding <c>.1</c>, <c>.2</c>, … before its extension, as other clients do. Padding files are never
/// written and are left as they are.
/// </summary>
internal static class TorrentFilePathResolver
{
    private const int MaxAttempts = 100_000;

    public static List<TorrentFile> Resolve(List<TorrentFile> files, string? sourcePath)
    {
        var filePaths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var folderPaths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var renamedFolders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<TorrentFile>(files.Count);
        foreach (var file in files)
        {
            if (file.IsPadding)
            {
                result.Add(file);
                continue;
            }

            string[]? changed = null;
            var segments = file.PathSegments;
            var current = string.Empty;
            for (var i = 0; i < segments.Count - 1; i++)
            {
                var segment = changed?[i] ?? segments[i];
                var path = Join(current, segment);
                if (renamedFolders.TryGetValue(path, out var renamed))
                {
                    segment = renamed;
                }
                else if (filePaths.Contains(path))
                {
                    // An earlier file stands where this one needs a folder: the folder gets a new name, for every later file too.
                    segment = FreeName(current, segment, filePaths, folderPaths, sourcePath);
                    renamedFolders[path] = segment;
                }

                if (segment != segments[i])
                {
                    changed ??= [.. segments];
                    changed[i] = segment;
                }

                current = Join(current, segment);
                folderPaths.Add(current);
            }

            var name = segments[^1];
            if (filePaths.Contains(Join(current, name)) || folderPaths.Contains(Join(current, name)))
            {
                changed ??= [.. segments];
                name = FreeName(current, name, filePaths, folderPaths, sourcePath);
                changed[^1] = name;
            }

            filePaths.Add(Join(current, name));
            result.Add(changed is null ? file : new TorrentFile(changed, file.Length, file.Offset, file.IsPadding, file.Attributes));
        }

        return result;
    }

    private static string Join(string folder, string segment) => folder.Length == 0 ? segment : $"{folder}/{segment}";

    private static string FreeName(string folder, string segment, HashSet<string> filePaths, HashSet<string> folderPaths, string? sourcePath)
    {
        for (var n = 1; n <= MaxAttempts; n++)
        {
            var candidate = WithNumber(segment, n);
            var path = Join(folder, candidate);
            if (!filePaths.Contains(path) && !folderPaths.Contains(path))
            {
                return candidate;
            }
        }

        throw new InvalidTorrentException($"more than {MaxAttempts} files share the path '{Join(folder, segment)}'", sourcePath);
    }

    /// <summary><c>name.ext</c> → <c>name.N.ext</c>, shortening the stem so the segment stays within the sanitiser's limit.</summary>
    internal static string WithNumber(string segment, int number)
    {
        var extension = Path.GetExtension(segment);
        if (extension.Length > 16 || extension.Length == segment.Length)
        {
            extension = string.Empty;
        }

        var stem = segment[..^extension.Length];
        var suffix = $".{number}{extension}";
        var suffixBytes = Encoding.UTF8.GetByteCount(suffix);
        while (stem.Length > 0 && Encoding.UTF8.GetByteCount(stem) + suffixBytes > TorrentPathSanitizer.MaxSegmentBytes)
        {
            stem = stem[..^1];
            if (stem.Length > 0 && char.IsHighSurrogate(stem[^1]))
            {
                stem = stem[..^1];
            }
        }

        return stem + suffix;
    }
}
