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
        var tree = new FolderTree();
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
            var folder = FolderTree.Root;
            for (var i = 0; i < segments.Count - 1; i++)
            {
                var segment = segments[i];
                if (tree.TryGetRenamedFolder(folder, segment, out var renamed))
                {
                    segment = renamed;
                }
                else if (tree.IsFile(folder, segment))
                {
                    // An earlier file stands where this one needs a folder: the folder gets a new name, for every later file too.
                    segment = tree.RenameFolder(folder, segment);
                }

                if (!ReferenceEquals(segment, segments[i]))
                {
                    changed ??= [.. segments];
                    changed[i] = segment;
                }

                folder = tree.Folder(folder, segment);
            }

            var name = segments[^1];
            if (tree.IsTaken(folder, name))
            {
                changed ??= [.. segments];
                name = tree.FreeName(folder, name);
                changed[^1] = name;
            }

            tree.AddFile(folder, name);
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

    /// <summary>
    /// The torrent's folders and files as one table of (folder, name) entries, names compared without regard to case: a
    /// few dozen bytes per path segment, however deep or wide the tree. Folders are numbered; the root is 0.
    /// </summary>
    private sealed class FolderTree
    {
        public const int Root = 0;
        private const int FileEntry = -1;

        private readonly Dictionary<Entry, int> _entries = new(EntryComparer.Instance);
        private readonly Dictionary<Entry, string> _renamedFolders = new(EntryComparer.Instance);
        private readonly Dictionary<Entry, int> _nextNumber = new(EntryComparer.Instance);
        private int _folderCount = 1;

        public bool IsFile(int folder, string name) => _entries.TryGetValue(new(folder, name), out var id) && id == FileEntry;

        public bool IsTaken(int folder, string name) => _entries.ContainsKey(new(folder, name));

        public bool TryGetRenamedFolder(int folder, string name, out string renamed) => _renamedFolders.TryGetValue(new(folder, name), out renamed!);

        /// <summary>The folder <paramref name="name"/> in <paramref name="folder"/>, made when it is new.</summary>
        public int Folder(int folder, string name)
        {
            var key = new Entry(folder, name);
            if (!_entries.TryGetValue(key, out var id))
            {
                id = _folderCount++;
                _entries.Add(key, id);
            }

            return id;
        }

        public void AddFile(int folder, string name) => _entries.Add(new(folder, name), FileEntry);

        /// <summary>A free name for the folder <paramref name="name"/>, where a file already stands; later paths through it follow.</summary>
        public string RenameFolder(int folder, string name)
        {
            var free = FreeName(folder, name);
            _renamedFolders[new(folder, name)] = free;
            return free;
        }

        /// <summary>The first numbered form of <paramref name="name"/> that nothing in <paramref name="folder"/> uses, continuing where the last clash of the name stopped.</summary>
        public string FreeName(int folder, string name)
        {
            var key = new Entry(folder, name);
            var number = _nextNumber.GetValueOrDefault(key, 1);
            while (true)
            {
                var candidate = WithNumber(name, number++);
                if (!IsTaken(folder, candidate))
                {
                    _nextNumber[key] = number;
                    return candidate;
                }
            }
        }

        private readonly record struct Entry(int Folder, string Name);

        private sealed class EntryComparer : IEqualityComparer<Entry>
        {
            public static readonly EntryComparer Instance = new();

            public bool Equals(Entry x, Entry y) => x.Folder == y.Folder && string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase);

            public int GetHashCode(Entry entry) => HashCode.Combine(entry.Folder, StringComparer.OrdinalIgnoreCase.GetHashCode(entry.Name));
        }
    }
}
