using System.Text;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Turns path segments read from a torrent (hostile input) into segments that can never escape the
/// destination folder on any operating system: empty, '.' and '..' segments are dropped, separators,
/// NUL, control and Windows-invalid characters become '_', reserved device names get a '_' prefix,
/// trailing dots and spaces are trimmed and overlong segments are shortened.
/// </summary>
public static class TorrentPathSanitizer
{
    public const int MaxSegmentBytes = 240;

    /// <summary>Separators, NUL and other control characters, and the characters Windows refuses in names.</summary>
    private static readonly System.Buffers.SearchValues<char> UnsafeChars = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f" +
        "\u007f/\\:*?\"<>|");

    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
        "COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3",
        "CONIN$", "CONOUT$", "CLOCK$",
    };

    /// <summary>Sanitises every segment; returns at least one segment (<c>_</c> when nothing usable is left).</summary>
    public static IReadOnlyList<string> SanitizeSegments(IEnumerable<string> segments)
    {
        var result = new List<string>();
        foreach (var segment in segments)
        {
            var clean = SanitizeSegment(segment);
            if (clean is not null)
            {
                result.Add(clean);
            }
        }

        if (result.Count == 0)
        {
            result.Add("_");
        }

        return result;
    }

    /// <summary>One segment made safe, or null when it must be dropped ('', '.', '..').</summary>
    public static string? SanitizeSegment(string segment)
    {
        if (segment.Length == 0 || segment == "." || segment == "..")
        {
            return null;
        }

        var text = segment.AsSpan().IndexOfAny(UnsafeChars) < 0 ? segment : ReplaceUnsafe(segment);
        text = text.TrimEnd('.', ' ');
        if (text.Length == 0 || text.AsSpan().IndexOfAnyExcept('.') < 0)
        {
            return "_";
        }

        var dot = text.IndexOf('.');
        var stem = (dot < 0 ? text : text[..dot]).TrimEnd(' ');
        if (ReservedNames.Contains(stem))
        {
            text = "_" + text;
        }

        return Shorten(text);
    }

    private static string ReplaceUnsafe(string segment)
    {
        var builder = new StringBuilder(segment.Length);
        foreach (var c in segment)
        {
            builder.Append(UnsafeChars.Contains(c) ? '_' : c);
        }

        return builder.ToString();
    }

    /// <summary>Joins sanitised segments below <paramref name="destination"/> and proves the result stays inside it.</summary>
    /// <exception cref="InvalidTorrentException">The joined path would not be strictly inside <paramref name="destination"/>.</exception>
    public static string Combine(string destination, IReadOnlyList<string> segments)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            throw new ArgumentException("A file path needs at least one segment.", nameof(segments));
        }

        foreach (var segment in segments)
        {
            if (segment is null || segment.Contains('\0'))
            {
                throw new InvalidTorrentException($"The path '{string.Join('/', segments)}' holds a null or NUL segment.");
            }
        }

        var root = System.IO.Path.GetFullPath(destination);
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine([root, .. segments]));
        var prefix = root.EndsWith(System.IO.Path.DirectorySeparatorChar) ? root : root + System.IO.Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            throw new InvalidTorrentException($"The path '{string.Join('/', segments)}' would leave the destination folder '{root}'.");
        }

        return full;
    }

    private static string Shorten(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= MaxSegmentBytes)
        {
            return text;
        }

        var extension = System.IO.Path.GetExtension(text);
        if (extension.Length > 16)
        {
            extension = string.Empty;
        }

        var stem = text[..^extension.Length];
        while (stem.Length > 0 && Encoding.UTF8.GetByteCount(stem) + Encoding.UTF8.GetByteCount(extension) > MaxSegmentBytes)
        {
            stem = stem[..^1];
            if (stem.Length > 0 && char.IsHighSurrogate(stem[^1]))
            {
                stem = stem[..^1];
            }
        }

        return stem + extension;
    }
}
