namespace TorrentPS.Engine.Creation;

/// <summary>
/// A path with every symbolic link (and junction) in it followed, folder by folder, as realpath(3) does: what a link
/// really points at, however many links lie on the way. Deciding whether a link stays inside the content folder needs
/// this; a textual check of the link's target would be fooled by a link to a folder inside that itself leads outside.
/// </summary>
internal static class RealPath
{
    /// <summary>Links followed in one path before it counts as a loop (Linux's limit is 40).</summary>
    public const int MaxLinks = 40;

    private static readonly char[] Separators = OperatingSystem.IsWindows() ? ['\\', '/'] : ['/'];

    /// <summary>
    /// The full path of <paramref name="path"/> with every link in it followed; null when following them loops (more than
    /// <see cref="MaxLinks"/> links). What does not exist is kept as written: the result then names where the path leads.
    /// </summary>
    public static string? Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        var pending = new List<string>(Split(full[current.Length..]));
        var links = 0;
        var index = 0;
        while (index < pending.Count)
        {
            var part = pending[index++];
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                // The parent of a path whose links are all followed: the physical parent.
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            var target = LinkTargetOf(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            // Go on from the link's target (absolute, or relative to the folder the link is in), then what followed the link.
            if (Path.IsPathRooted(target))
            {
                var root = Path.GetPathRoot(target)!;
                current = Path.IsPathFullyQualified(target) ? root : Path.GetPathRoot(Path.GetFullPath(target))!;
                target = target[root.Length..];
            }

            var rest = pending.GetRange(index, pending.Count - index);
            pending = [.. Split(target), .. rest];
            index = 0;
        }

        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it (both full, real paths).</summary>
    public static bool IsWithin(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var trimmed = Path.TrimEndingDirectorySeparator(folder);
        if (!path.StartsWith(trimmed, comparison))
        {
            return false;
        }

        // "/data" holds "/data" and "/data/x", not "/database"; a root ("/", "C:") ends with its separator already.
        return path.Length == trimmed.Length
               || Array.IndexOf(Separators, trimmed[^1]) >= 0
               || Array.IndexOf(Separators, path[trimmed.Length]) >= 0;
    }

    private static string? LinkTargetOf(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Split(string path) => path.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
}
