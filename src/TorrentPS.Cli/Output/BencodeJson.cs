using System.Globalization;
using System.Text;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli.Output;

/// <summary>
/// Bencode as compact JSON, the way the challenge's `decode` prints it: <c>"hello"</c>, <c>52</c>,
/// <c>[1,"a"]</c>, <c>{"foo":"bar","n":52}</c> (no spaces, dictionary keys in the order they appear).
/// A byte string that is valid UTF-8 prints as its text. One that is not maps each byte one-to-one
/// to the character of the same code (Latin-1 style), so no byte is lost: bytes from 0x80 up print
/// as <c>\u0080</c>…<c>\u00ff</c>. Quotes, backslashes and control characters are escaped as JSON requires, and so
/// is every other character <see cref="DisplayText"/> escapes (C1 and bidirectional controls, line separators).
/// </summary>
internal static class BencodeJson
{
    public static string Render(BencodeValue value)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, BencodeValue value)
    {
        switch (value)
        {
            case BencodeInteger i:
                builder.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case BencodeString s:
                AppendString(builder, s);
                break;
            case BencodeList list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    Append(builder, list[i]);
                }

                builder.Append(']');
                break;
            case BencodeDictionary dict:
                builder.Append('{');
                for (var i = 0; i < dict.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    AppendString(builder, dict[i].Key);
                    builder.Append(':');
                    Append(builder, dict[i].Value);
                }

                builder.Append('}');
                break;
            default:
                throw new ArgumentException($"Unknown bencode value type {value.GetType().Name}.", nameof(value));
        }
    }

    private static void AppendString(StringBuilder builder, BencodeString value)
    {
        builder.Append('"');
        if (value.TryGetUtf8(out var text))
        {
            foreach (var c in text)
            {
                AppendChar(builder, c, escapeNonAscii: false);
            }
        }
        else
        {
            foreach (var b in value.Span)
            {
                AppendChar(builder, (char)b, escapeNonAscii: true);
            }
        }

        builder.Append('"');
    }

    private static void AppendChar(StringBuilder builder, char c, bool escapeNonAscii)
    {
        switch (c)
        {
            case '"':
                builder.Append("\\\"");
                break;
            case '\\':
                builder.Append("\\\\");
                break;
            case '\n':
                builder.Append("\\n");
                break;
            case '\r':
                builder.Append("\\r");
                break;
            case '\t':
                builder.Append("\\t");
                break;
            case '\b':
                builder.Append("\\b");
                break;
            case '\f':
                builder.Append("\\f");
                break;
            case < ' ':
            case '\u007f':
                AppendEscaped(builder, c);
                break;
            case var unsafeChar when DisplayText.IsUnsafe(unsafeChar):
                // C1 and bidirectional controls: the same string to a JSON reader, nothing a terminal acts on.
                AppendEscaped(builder, c);
                break;
            case > '\u007f' when escapeNonAscii:
                AppendEscaped(builder, c);
                break;
            default:
                builder.Append(c);
                break;
        }
    }

    private static void AppendEscaped(StringBuilder builder, char c)
        => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
