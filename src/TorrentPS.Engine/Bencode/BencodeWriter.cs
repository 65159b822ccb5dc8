using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace TorrentPS.Engine.Bencode;

/// <summary>
/// Writes bencode into an <see cref="IBufferWriter{T}"/> without intermediate objects. Callers that
/// write dictionaries by hand must write keys in ascending byte order; <see cref="WriteValue"/> sorts
/// them itself, so anything it writes is canonical.
/// </summary>
internal readonly struct BencodeWriter
{
    private readonly IBufferWriter<byte> _output;

    public BencodeWriter(IBufferWriter<byte> output) => _output = output;

    public void WriteInteger(long value)
    {
        var span = _output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        span[1 + written] = (byte)'e';
        _output.Advance(written + 2);
    }

    public void WriteString(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(11 + bytes.Length);
        Utf8Formatter.TryFormat(bytes.Length, span, out var written);
        span[written++] = (byte)':';
        bytes.CopyTo(span[written..]);
        _output.Advance(written + bytes.Length);
    }

    public void WriteString(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var span = _output.GetSpan(11 + length);
        Utf8Formatter.TryFormat(length, span, out var written);
        span[written++] = (byte)':';
        Encoding.UTF8.GetBytes(text, span[written..]);
        _output.Advance(written + length);
    }

    public void WriteListStart() => WriteByte((byte)'l');

    public void WriteDictionaryStart() => WriteByte((byte)'d');

    public void WriteEnd() => WriteByte((byte)'e');

    /// <summary>Deepest nesting <see cref="WriteValue"/> writes; deeper values are refused rather than overflowing the stack.</summary>
    public const int MaxDepth = 1024;

    /// <summary>Writes <paramref name="value"/> canonically: dictionary keys sorted as raw bytes.</summary>
    /// <exception cref="BencodeDuplicateKeyException">A dictionary holds the same key twice (decoded from non-canonical input).</exception>
    /// <exception cref="ArgumentException">The value nests deeper than <see cref="MaxDepth"/>.</exception>
    public void WriteValue(BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteValue(value, 0);
    }

    private void WriteValue(BencodeValue value, int depth)
    {
        switch (value)
        {
            case BencodeInteger i:
                WriteInteger(i.Value);
                break;
            case BencodeString s:
                WriteString(s.Span);
                break;
            case BencodeList list:
                EnterContainer(depth);
                WriteListStart();
                for (var i = 0; i < list.Count; i++)
                {
                    WriteValue(list[i], depth + 1);
                }

                WriteEnd();
                break;
            case BencodeDictionary dict:
                EnterContainer(depth);
                WriteDictionaryStart();
                if (dict.IsCanonicalOrder)
                {
                    for (var i = 0; i < dict.Count; i++)
                    {
                        WriteString(dict[i].Key.Span);
                        WriteValue(dict[i].Value, depth + 1);
                    }
                }
                else
                {
                    var entries = dict.SortedEntries();
                    for (var i = 0; i < entries.Length; i++)
                    {
                        if (i > 0 && entries[i - 1].Key.Equals(entries[i].Key))
                        {
                            throw new BencodeDuplicateKeyException(entries[i].Key);
                        }

                        WriteString(entries[i].Key.Span);
                        WriteValue(entries[i].Value, depth + 1);
                    }
                }

                WriteEnd();
                break;
            default:
                throw new ArgumentException($"Unknown bencode value type {value?.GetType().Name ?? "null"}.", nameof(value));
        }
    }

    private static void EnterContainer(int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new ArgumentException($"The value nests deeper than {MaxDepth} levels.", "value");
        }
    }

    private void WriteByte(byte b)
    {
        _output.GetSpan(1)[0] = b;
        _output.Advance(1);
    }
}
