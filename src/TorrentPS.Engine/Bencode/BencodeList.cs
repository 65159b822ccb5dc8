using System.Collections;

namespace TorrentPS.Engine.Bencode;

/// <summary>A bencode list.</summary>
public sealed class BencodeList : BencodeValue, IReadOnlyList<BencodeValue>
{
    private readonly BencodeValue[] _items;

    public BencodeList(IEnumerable<BencodeValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
        if (Array.IndexOf(_items, null) >= 0)
        {
            throw new ArgumentException("A bencode list cannot hold null.", nameof(items));
        }
    }

    internal BencodeList(BencodeValue[] items, bool owned) => _items = owned ? items : (BencodeValue[])items.Clone();

    public int Count => _items.Length;

    public BencodeValue this[int index] => _items[index];

    public IEnumerator<BencodeValue> GetEnumerator() => ((IEnumerable<BencodeValue>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override bool Equals(BencodeValue? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not BencodeList list || list.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < _items.Length; i++)
        {
            if (!_items[i].Equals(list._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_items.Length);
        foreach (var item in _items)
        {
            hash.Add(item.GetHashCode());
        }

        return hash.ToHashCode();
    }
}
