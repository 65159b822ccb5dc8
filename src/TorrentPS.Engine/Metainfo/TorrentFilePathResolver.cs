using System.Text;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Makes the (already sanitised) file paths of a multi-file torrent unique, so no two files share a
/// path on disk and no file stands where another file needs a folder. Compared without regard to case,
/// so a torrent lands the same way on every file system. A clash renames the later file (or folder) by
/// adding <c>.1</c>, <c>.2</c>, … before its extension, as other clients do. Padding files are never
/// written and are left as they are.
/// </summary>
/// <remarks>
/// Hostile torrents hold thousands of clashing or deeply nested paths, so the cost stays linear: the paths
/// live in a tree of folders (each segment stored once, never a string per path prefix), and each folder
/// remembers, per clashing name, the next number to try, so a clash never searches from <c>.1</c> again.
/// </remarks>
internal static class TorrentFilePathResolver
{
    public static List<TorrentFile> Resolve(List<TorrentFile> files, string? sourcePath, CancellationToken cancellationToken = default)
    {
        var root = new Folder();
        var result = new List<TorrentFile>(files.Count);
        for (var index = 0; index < files.Count; index++)
        {
            if ((index & 0xfff) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var file = files[index];
            if (file.IsPadding)
            {
                result.Add(file);
                continue;
            }

            string[]? changed = null;
            var segments = file.PathSegments;
            var folder = root;
            for (var i = 0; i < segments.Count - 1; i++)
            {
                var segment = segments[i];
                if (folder.RenamedFolders?.TryGetValue(segment, out var renamed) == true)
                {
                    segment = renamed;
                }
                else if (folder.Files?.Contains(segment) == true)
                {
                    // An earlier file stands where this one needs a folder: the folder gets a new name, for every later file too.
                    var free = folder.FreeName(segment);
                    (folder.RenamedFolders ??= new(StringComparer.OrdinalIgnoreCase))[segment] = free;
                    segment = free;
                }

                if (!ReferenceEquals(segment, segments[i]))
                {
                    changed ??= [.. segments];
                    changed[i] = segment;
                }

                folder = folder.Child(segment);
            }

            var name = segments[^1];
            if (folder.IsTaken(name))
            {
                changed ??= [.. segments];
                name = folder.FreeName(name);
                changed[^1] = name;
            }

            (folder.Files ??= new(StringComparer.OrdinalIgnoreCase)).Add(name);
            result.Add(changed is null ? file : new TorrentFile(changed, file.Length, file.Offset, file.IsPadding, file.Attributes));
        }

        return result;
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
        return TorrentPathSanitizer.TruncateUtf8(stem, TorrentPathSanitizer.MaxSegmentBytes - Encoding.UTF8.GetByteCount(suffix)) + suffix;
    }

    /// <summary>One folder of the torrent's tree: its subfolders, its files, and the numbering state of its clashes.</summary>
    private sealed class Folder
    {
        private Dictionary<string, Folder>? _folders;
        private Dictionary<string, int>? _nextNumber;

        public HashSet<string>? Files { get; set; }

        public Dictionary<string, string>? RenamedFolders { get; set; }

        public Folder Child(string name)
        {
            _folders ??= new(StringComparer.OrdinalIgnoreCase);
            if (!_folders.TryGetValue(name, out var child))
            {
                child = new Folder();
                _folders.Add(name, child);
            }

            return child;
        }

        public bool IsTaken(string name) => Files?.Contains(name) == true || _folders?.ContainsKey(name) == true;

        /// <summary>The first numbered form of <paramref name="name"/> that no file or folder here uses, continuing where the last clash of the name stopped.</summary>
        public string FreeName(string name)
        {
            _nextNumber ??= new(StringComparer.OrdinalIgnoreCase);
            var number = _nextNumber.GetValueOrDefault(name, 1);
            while (true)
            {
                var candidate = WithNumber(name, number++);
                if (!IsTaken(candidate))
                {
                    _nextNumber[name] = number;
                    return candidate;
                }
            }
        }
    }
}
