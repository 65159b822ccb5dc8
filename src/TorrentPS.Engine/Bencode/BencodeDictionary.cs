using System.Collections;
using System.Text;

namespace TorrentPS.Engine.Bencode;

/// <summary>
/// A bencode dictionary. Entries keep the order they were read in; keys out of order or
/// duplicated are accepted on read and reported by <see cref="IsCanonicalOrder"/> and
/// <see cref="HasDuplicateKeys"/>. Lookups return the first entry with the key.
/// </summary>
public sealed class BencodeDictionary : BencodeValue, IReadOnlyList<KeyValuePair<BencodeString, BencodeValue>>
{
    private readonly KeyValuePair<BencodeString, BencodeValue>[] _entries;

    public BencodeDictionary(IEnumerable<KeyValuePair<BencodeString, BencodeValue>> entries) => _entries = entries.ToArray();

    public BencodeDictionary(IEnumerable<KeyValuePair<string, BencodeValue>> entries)
        => _entries = entries.Select(e => new KeyValuePair<BencodeString, BencodeValue>(new BencodeString(e.Key), e.Value)).ToArray();

    internal BencodeDictionary(KeyValuePair<BencodeString, BencodeValue>[] entries, bool owned)
        => _entries = owned ? entries : (KeyValuePair<BencodeString, BencodeValue>[])entries.Clone();

    public int Count => _entries.Length;

    public KeyValuePair<BencodeString, BencodeValue> this[int index] => _entries[index];

    public IEnumerable<BencodeString> Keys => _entries.Select(e => e.Key);

    /// <summary>True when keys are strictly ascending as raw bytes (sorted and without duplicates), as BEP 3 requires.</summary>
    public bool IsCanonicalOrder
    {
        get
        {
            for (var i = 1; i < _entries.Length; i++)
            {
                if (_entries[i - 1].Key.Span.SequenceCompareTo(_entries[i].Key.Span) >= 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public bool HasDuplicateKeys
    {
        get
        {
            var seen = new HashSet<BencodeString>();
            foreach (var entry in _entries)
            {
                if (!seen.Add(entry.Key))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, out BencodeValue value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var bytes = max <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(key, buffer)] : Encoding.UTF8.GetBytes(key);
        return TryGetValue(bytes, out value);
    }

    public bool TryGetValue(ReadOnlySpan<byte> key, out BencodeValue value)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key.Span.SequenceEqual(key))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null!;
        return false;
    }

    /// <summary>The value under <paramref name="key"/> when it exists and is a <typeparamref name="T"/>; otherwise null.</summary>
    public T? Get<T>(string key)
        where T : BencodeValue
        => TryGetValue(key, out var value) ? value as T : null;

    public IEnumerator<KeyValuePair<BencodeString, BencodeValue>> GetEnumerator()
        => ((IEnumerable<KeyValuePair<BencodeString, BencodeValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    public override bool Equals(BencodeValue? other)
    {
        if (other is not BencodeDictionary dict || dict.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < _entries.Length; i++)
        {
            if (!_entries[i].Key.Equals(dict._entries[i].Key) || !_entries[i].Value.Equals(dict._entries[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_entries.Length);
        foreach (var entry in _entries)
        {
            hash.Add(entry.Key.GetHashCode());
            hash.Add(entry.Value.GetHashCode());
        }

        return hash.ToHashCode();
    }
}
