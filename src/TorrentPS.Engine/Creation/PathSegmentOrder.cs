using System.Text;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// The order of a new torrent's files: segment by segment, each compared as UTF-8 bytes (ordinal). It is the order of a
/// BEP 52 file tree (a bencoded dictionary per folder, keys sorted as raw bytes), so the v1 file list and the v2 file tree
/// of a hybrid torrent agree, and it is libtorrent's. It differs from comparing whole paths as strings (mktorrent's
/// <c>strcmp</c>) only where a folder's name is the start of a sibling's name followed by a character below '/'
/// (<c>a/x</c> comes before <c>a.txt</c> here, after it in mktorrent).
/// </summary>
internal sealed class PathSegmentOrder : IComparer<IReadOnlyList<string>>
{
    public static PathSegmentOrder Instance { get; } = new();

    public int Compare(IReadOnlyList<string>? x, IReadOnlyList<string>? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            var order = CompareUtf8(x[i], y[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return x.Count.CompareTo(y.Count);
    }

    /// <summary>Two names compared as their UTF-8 bytes (which differs from UTF-16 ordinal order above U+FFFF).</summary>
    public static int CompareUtf8(string x, string y)
    {
        if (x.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0 && y.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0)
        {
            // Without surrogates, UTF-16 code unit order is code point order, which is UTF-8 byte order.
            return string.CompareOrdinal(x, y);
        }

        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}
