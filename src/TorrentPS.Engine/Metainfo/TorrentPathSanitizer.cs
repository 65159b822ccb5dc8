using System.Text;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Turns path segments read from a torrent (hostile input) into segments that can never escape the
/// destination folder on any operating system: empty, '.' and '..' segments are dropped, separators,
/// NUL, control characters (C0 and C1), bidirectional controls, line separators (the characters
/// <see cref="DisplayText"/> escapes) and Windows-invalid characters become '_', reserved device names get a
/// '_' prefix, trailing dots and spaces are trimmed and overlong segments are shortened (in one step: the cost
/// is linear in the segment's length).
/// </summary>
internal static class TorrentPathSanitizer
{
    public const int MaxSegmentBytes = 240;

    /// <summary>Separators, every character <see cref="DisplayText"/> escapes (controls, bidirectional controls, line separators), and the characters Windows refuses in names.</summary>
    private static readonly System.Buffers.SearchValues<char> UnsafeChars = System.Buffers.SearchValues.Create(
        BuildUnsafeChars());

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

        var text = segment.AsSpan().IndexOfAny(UnsafeChars) < 0 && segment.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0 ? segment : ReplaceUnsafe(segment);
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
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (char.IsHighSurrogate(c) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]))
            {
                builder.Append(c).Append(segment[++i]);
            }
            else
            {
                builder.Append(UnsafeChars.Contains(c) || char.IsSurrogate(c) ? '_' : c);
            }
        }

        return builder.ToString();
    }

    private static string BuildUnsafeChars()
    {
        var chars = new StringBuilder("/\\:*?\"<>|");
        for (var c = '\u0000'; c <= '\u2069'; c++)
        {
            if (DisplayText.IsUnsafe(c))
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
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
        if (text.Length * 3 <= MaxSegmentBytes || Encoding.UTF8.GetByteCount(text) <= MaxSegmentBytes)
        {
            return text;
        }

        var extension = System.IO.Path.GetExtension(text);
        if (extension.Length > 16)
        {
            extension = string.Empty;
        }

        var stem = text[..^extension.Length];
        return TruncateUtf8(stem, MaxSegmentBytes - Encoding.UTF8.GetByteCount(extension)) + extension;
    }

    /// <summary>
    /// The longest prefix of <paramref name="text"/> that is at most <paramref name="maxBytes"/> bytes in UTF-8, never
    /// splitting a surrogate pair. One pass over at most the prefix kept.
    /// </summary>
    internal static string TruncateUtf8(string text, int maxBytes)
    {
        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            var width = 1;
            int size;
            if (char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]))
            {
                width = 2;
                size = 4;
            }
            else
            {
                // A lone surrogate is written as U+FFFD: three bytes.
                size = text[end] switch { <= '\u007f' => 1, <= '\u07ff' => 2, _ => 3 };
            }

            if (bytes + size > maxBytes)
            {
                break;
            }

            bytes += size;
            end += width;
        }

        return end == text.Length ? text : text[..end];
    }
}
