using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Numerics;
using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Conversion;

/// <summary>
/// Converts between bencode values and the objects PowerShell users handle: dictionaries become
/// <see cref="OrderedDictionary"/> (keys in file order), byte strings become <see cref="string"/> when
/// they are valid UTF-8 and <see cref="byte"/>[] otherwise, lists become <see cref="object"/>[], integers
/// <see cref="long"/>. The way back accepts any dictionary, list, string, byte[] and integral number,
/// and refuses (with <see cref="UnsupportedBencodeValueException"/>) anything bencode cannot hold.
/// </summary>
public static class BencodeObjectConverter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Deepest nesting written; the same limit the reader enforces, so whatever is written reads back.</summary>
    public static int MaxDepth => BencodeReaderOptions.Default.MaxDepth;

    /// <summary>The PowerShell-friendly object for <paramref name="value"/>.</summary>
    public static object ToObject(BencodeValue value) => value switch
    {
        BencodeInteger i => i.Value,
        BencodeString s => ToStringOrBytes(s),
        BencodeList list => ToArray(list),
        BencodeDictionary dict => ToOrderedDictionary(dict),
        _ => throw new ArgumentException($"Unknown bencode value type {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>Decodes <paramref name="data"/> (one whole value) and converts it.</summary>
    public static object Decode(ReadOnlyMemory<byte> data) => Decode(data, CancellationToken.None);

    /// <summary>Decodes <paramref name="data"/> (one whole value) and converts it; the token stops a long decode.</summary>
    public static object Decode(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => ToObject(BencodeDecoder.Decode(data, null, cancellationToken));

    /// <summary>The bencode value for <paramref name="value"/>, looking through wrappers with <paramref name="adapter"/>.</summary>
    public static BencodeValue ToBencode(object? value, IBencodeObjectAdapter? adapter = null)
        => Convert(value, adapter ?? PlainObjectAdapter.Instance, "$", 0);

    /// <summary>The canonical bencode bytes for <paramref name="value"/> (dictionary keys sorted).</summary>
    public static byte[] Encode(object? value, IBencodeObjectAdapter? adapter = null) => BencodeEncoder.Encode(ToBencode(value, adapter));

    /// <summary>The bencode as a string; refuses bytes that are not UTF-8, which a string would corrupt.</summary>
    public static string EncodeToText(object? value, IBencodeObjectAdapter? adapter = null)
    {
        var bytes = Encode(value, adapter);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new BencodeNotTextException();
        }
    }

    private static object ToStringOrBytes(BencodeString s) => s.TryGetUtf8(out var text) ? text : s.Span.ToArray();

    private static object[] ToArray(BencodeList list)
    {
        var items = new object[list.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ToObject(list[i]);
        }

        return items;
    }

    private static OrderedDictionary ToOrderedDictionary(BencodeDictionary dict)
    {
        // Ordinal keys: bencode keys are bytes, so 'a' and 'A' are different keys. Keys that are not
        // UTF-8 become byte[] keys (compared by reference, so they never collide).
        var result = new OrderedDictionary(dict.Count, StringComparer.Ordinal);
        foreach (var (key, value) in dict)
        {
            // A key that is not UTF-8 stays bytes, so it converts back unchanged.
            object name = key.TryGetUtf8(out var text) ? text : key.Span.ToArray();
            if (name is string && result.Contains(name))
            {
                continue; // a duplicate key (not canonical); like every lookup, the first one wins
            }

            result.Add(name, ToObject(value));
        }

        return result;
    }

    private static BencodeValue Convert(object? raw, IBencodeObjectAdapter adapter, string path, int depth)
    {
        var value = adapter.Adapt(raw);
        switch (value)
        {
            case null:
                throw new UnsupportedBencodeValueException(path, "bencode has no null; leave the key out instead");
            case string s:
                return new BencodeString(s);
            case byte[] bytes:
                return new BencodeString(bytes.ToArray());
            case bool:
                throw new UnsupportedBencodeValueException(path, "bencode has no booleans; use the integers 0 and 1");
            case char c:
                return new BencodeString(c.ToString());
            case float or double or decimal or Half:
                throw new UnsupportedBencodeValueException(path, $"bencode has only integers, not the {value.GetType().Name} {System.Convert.ToString(value, CultureInfo.InvariantCulture)}");
            case sbyte or byte or short or ushort or int or uint or long:
                return new BencodeInteger(System.Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong u:
                return u <= long.MaxValue
                    ? new BencodeInteger((long)u)
                    : throw new UnsupportedBencodeValueException(path, $"the integer {u} does not fit in 64 signed bits");
            case BigInteger big:
                return big >= long.MinValue && big <= long.MaxValue
                    ? new BencodeInteger((long)big)
                    : throw new UnsupportedBencodeValueException(path, $"the integer {big} does not fit in 64 signed bits");
            case Enum:
                throw new UnsupportedBencodeValueException(path, $"the enum value {value} is not an integer; convert it with [long] or to a string first");
            case BencodeValue bencode:
                return bencode;
            case IDictionary dictionary:
                return ConvertDictionary(DictionaryEntries(dictionary), adapter, path, depth);
            case PropertyBag bag:
                return ConvertDictionary(bag.Properties.Select(p => new KeyValuePair<object?, object?>(p.Key, p.Value)), adapter, path, depth);
            case IEnumerable sequence:
                return ConvertList(sequence, adapter, path, depth);
            default:
                throw new UnsupportedBencodeValueException(path, $"a {value.GetType().FullName} is not a dictionary, list, string, byte[] or integer");
        }
    }

    private static IEnumerable<KeyValuePair<object?, object?>> DictionaryEntries(IDictionary dictionary)
    {
        foreach (DictionaryEntry entry in dictionary)
        {
            yield return new(entry.Key, entry.Value);
        }
    }

    private static BencodeDictionary ConvertDictionary(IEnumerable<KeyValuePair<object?, object?>> entries, IBencodeObjectAdapter adapter, string path, int depth)
    {
        EnterContainer(path, depth);
        var result = new List<KeyValuePair<BencodeString, BencodeValue>>();
        var seen = new HashSet<BencodeString>();
        foreach (var (rawKey, value) in entries)
        {
            var key = adapter.Adapt(rawKey) switch
            {
                string s => new BencodeString(s),
                byte[] b => new BencodeString(b.ToArray()),
                null => throw new UnsupportedBencodeValueException(path, "a dictionary key is null"),
                var other => throw new UnsupportedBencodeValueException(path, $"the dictionary key {other} is a {other.GetType().Name}; bencode keys are strings"),
            };
            var keyPath = $"{path}.{key.Text}";
            if (!seen.Add(key))
            {
                throw new UnsupportedBencodeValueException(keyPath, "the dictionary holds this key twice");
            }

            result.Add(new(key, Convert(value, adapter, keyPath, depth + 1)));
        }

        return new BencodeDictionary(result);
    }

    private static BencodeList ConvertList(IEnumerable sequence, IBencodeObjectAdapter adapter, string path, int depth)
    {
        EnterContainer(path, depth);
        var items = new List<BencodeValue>();
        foreach (var item in sequence)
        {
            items.Add(Convert(item, adapter, $"{path}[{items.Count}]", depth + 1));
        }

        return new BencodeList(items);
    }

    private static void EnterContainer(string path, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new UnsupportedBencodeValueException(path, $"nesting deeper than {MaxDepth} levels (is the object graph cyclic?)");
        }
    }
}
