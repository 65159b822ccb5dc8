using System.Collections;
using System.Text;

namespace TorrentPS.Engine.Bencode;

/// <summary>
/// A bencode dictionary. Entries keep the order they were read in; keys out of order or
/// duplicated are accepted on read and reported by <see cref="IsCanonicalOrder"/> and
/// <see cref="HasDuplicateKeys"/>. Lookups return the first entry with the key.
/// Equality is that of a map: two dictionaries are equal when they hold the same entries, whatever
/// order they were read or built in (entries compared in raw key order, duplicates included), so
/// <c>decode(encode(x)) == x</c> holds for every dictionary without duplicate keys. Bencode cannot hold a key twice:
/// encoding a dictionary that does throws <see cref="BencodeDuplicateKeyException"/> (a typed error, id DuplicateBencodeKey).
/// </summary>
public sealed class BencodeDictionary : BencodeValue, IReadOnlyList<KeyValuePair<BencodeString, BencodeValue>>
{
    private readonly KeyValuePair<BencodeString, BencodeValue>[] _entries;

    public BencodeDictionary(IEnumerable<KeyValuePair<BencodeString, BencodeValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.ToArray();
        ThrowOnNull(_entries, nameof(entries));
    }

    public BencodeDictionary(IEnumerable<KeyValuePair<string, BencodeValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.Select(e => new KeyValuePair<BencodeString, BencodeValue>(new BencodeString(e.Key ?? throw new ArgumentException("A bencode dictionary key cannot be null.", nameof(entries))), e.Value)).ToArray();
        ThrowOnNull(_entries, nameof(entries));
    }

    internal BencodeDictionary(KeyValuePair<BencodeString, BencodeValue>[] entries, bool owned)
        => _entries = owned ? entries : (KeyValuePair<BencodeString, BencodeValue>[])entries.Clone();

    public int Count => _entries.Length;

    public KeyValuePair<BencodeString, BencodeValue> this[int index] => _entries[index];

    internal IEnumerable<BencodeString> Keys => _entries.Select(e => e.Key);

    /// <summary>True when keys are strictly ascending as raw bytes (sorted and without duplicates), as BEP 3 requires.</summary>
    internal bool IsCanonicalOrder
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

    internal bool HasDuplicateKeys
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

    internal bool ContainsKey(string key) => TryGetValue(key, out _);

    internal bool TryGetValue(string key, out BencodeValue value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var bytes = max <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(key, buffer)] : Encoding.UTF8.GetBytes(key);
        return TryGetValue(bytes, out value);
    }

    internal bool TryGetValue(ReadOnlySpan<byte> key, out BencodeValue value)
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
    internal T? Get<T>(string key)
        where T : BencodeValue
        => TryGetValue(key, out var value) ? value as T : null;

    public IEnumerator<KeyValuePair<BencodeString, BencodeValue>> GetEnumerator()
        => ((IEnumerable<KeyValuePair<BencodeString, BencodeValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    public override bool Equals(BencodeValue? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not BencodeDictionary dict || dict.Count != Count)
        {
            return false;
        }

        var left = IsCanonicalOrder ? _entries : SortedEntries();
        var right = dict.IsCanonicalOrder ? dict._entries : dict.SortedEntries();
        for (var i = 0; i < left.Length; i++)
        {
            if (!left[i].Key.Equals(right[i].Key) || !left[i].Value.Equals(right[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        // Order-independent, like Equals: a sum of per-entry hashes.
        var sum = 0;
        foreach (var entry in _entries)
        {
            sum = unchecked(sum + HashCode.Combine(entry.Key.GetHashCode(), entry.Value.GetHashCode()));
        }

        return HashCode.Combine(_entries.Length, sum);
    }

    private static void ThrowOnNull(KeyValuePair<BencodeString, BencodeValue>[] entries, string parameter)
    {
        foreach (var entry in entries)
        {
            if (entry.Key is null || entry.Value is null)
            {
                throw new ArgumentException("A bencode dictionary cannot hold a null key or value.", parameter);
            }
        }
    }

    /// <summary>The entries sorted by raw key bytes; entries with equal keys keep their read order (stable).</summary>
    internal KeyValuePair<BencodeString, BencodeValue>[] SortedEntries()
    {
        var indexes = new int[_entries.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = i;
        }

        var entries = _entries;
        Array.Sort(indexes, (a, b) =>
        {
            var byKey = entries[a].Key.Span.SequenceCompareTo(entries[b].Key.Span);
            return byKey != 0 ? byKey : a.CompareTo(b);
        });
        var sorted = new KeyValuePair<BencodeString, BencodeValue>[indexes.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            sorted[i] = entries[indexes[i]];
        }

        return sorted;
    }
}
