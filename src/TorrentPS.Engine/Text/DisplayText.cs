using System.Buffers;
using System.Globalization;
using System.Text;

namespace TorrentPS.Engine.Text;

/// <summary>
/// The one rule for untrusted text shown to a person (CLI output, error messages, formatted views): characters
/// a terminal would act on are escaped, and the length is capped with an ellipsis. Escaped are the C0 controls and
/// DEL, the C1 controls (U+0080–U+009F, among them CSI U+009B and NEL U+0085), the bidirectional controls
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the line and paragraph separators (U+2028, U+2029) and
/// lone surrogates. <c>\n</c>, <c>\r</c> and <c>\t</c> show as such; any other as <c>\x1b</c> (up to U+00FF) or
/// <c>\u202e</c>. Backslashes stay as they are, so Windows paths read normally. Objects keep their raw values;
/// only what is printed goes through here.
/// </summary>
public static class DisplayText
{
    /// <summary>The most characters shown of one untrusted value (a URL, a tracker's message, a client name).</summary>
    internal const int DefaultMaxLength = 256;

    /// <summary>The most characters of one whole error message.</summary>
    public const int MaxMessageLength = 2048;

    /// <summary>What ends a value cut short.</summary>
    internal const char Ellipsis = '\u2026';

    /// <summary>Every character this rule escapes, but surrogates (only lone ones are escaped, which needs context).</summary>
    internal static SearchValues<char> Unsafe { get; } = SearchValues.Create(BuildUnsafe());

    /// <summary>True for a character a terminal may act on: a control, a bidirectional control or a line separator.</summary>
    public static bool IsUnsafe(char c) => Unsafe.Contains(c);

    /// <summary>True when <paramref name="text"/> can be shown as it is: nothing to escape and no longer than <paramref name="maxLength"/>.</summary>
    public static bool IsSafe(ReadOnlySpan<char> text, int maxLength = int.MaxValue)
        => text.Length <= maxLength && text.IndexOfAny(Unsafe) < 0 && !HasLoneSurrogate(text);

    /// <summary>
    /// <paramref name="text"/> made safe to show: unsafe characters escaped, and at most <paramref name="maxLength"/>
    /// characters (an ellipsis last when cut; <see cref="int.MaxValue"/> for no cap). Reads no more of the input than it shows.
    /// </summary>
    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        if (IsSafe(text, maxLength))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        Span<char> escape = stackalloc char[8];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            scoped ReadOnlySpan<char> piece;
            if (pair)
            {
                piece = text.AsSpan(i, 2);
            }
            else if (IsUnsafe(c) || char.IsSurrogate(c))
            {
                piece = escape[..Write(c, escape)];
            }
            else
            {
                piece = text.AsSpan(i, 1);
            }

            // Room for the piece and, unless the input ends with it, an ellipsis after it.
            var last = i + (pair ? 2 : 1) >= text.Length;
            if (builder.Length + piece.Length + (last ? 0 : 1) > maxLength)
            {
                return builder.Append(Ellipsis).ToString();
            }

            builder.Append(piece);
            if (pair)
            {
                i++;
            }
        }

        return builder.ToString();
    }

    /// <summary>Escapes a whole error message (every value in it, capped as a whole at <see cref="MaxMessageLength"/>).</summary>
    public static string Message(string? message) => Escape(message, MaxMessageLength);

    private static int Write(char c, Span<char> destination)
    {
        switch (c)
        {
            case '\n':
                "\\n".CopyTo(destination);
                return 2;
            case '\r':
                "\\r".CopyTo(destination);
                return 2;
            case '\t':
                "\\t".CopyTo(destination);
                return 2;
        }

        if (c <= '\u00ff')
        {
            "\\x".CopyTo(destination);
            ((int)c).TryFormat(destination[2..], out var written, "x2", CultureInfo.InvariantCulture);
            return 2 + written;
        }

        "\\u".CopyTo(destination);
        ((int)c).TryFormat(destination[2..], out var wide, "x4", CultureInfo.InvariantCulture);
        return 2 + wide;
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        var index = text.IndexOfAnyInRange('\ud800', '\udfff');
        if (index < 0)
        {
            return false;
        }

        for (var i = index; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string BuildUnsafe()
    {
        var chars = new StringBuilder();
        for (var c = '\u0000'; c <= '\u001f'; c++)
        {
            chars.Append(c);
        }

        for (var c = '\u007f'; c <= '\u009f'; c++)
        {
            chars.Append(c);
        }

        chars.Append('\u061c').Append('\u200e').Append('\u200f');
        for (var c = '\u202a'; c <= '\u202e'; c++)
        {
            chars.Append(c);
        }

        for (var c = '\u2066'; c <= '\u2069'; c++)
        {
            chars.Append(c);
        }

        return chars.Append('\u2028').Append('\u2029').ToString();
    }
}
