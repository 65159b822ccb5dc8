using System.Globalization;

namespace TorrentPS.Probe;

/// <summary>
/// A forward-only bencode reader, just enough for a .torrent: dictionaries, strings (slices of the input) and integers
/// are read where they stand; any other value is skipped without being built.
/// </summary>
internal ref struct BencodeReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public void ReadDictionaryStart() => Position += Peek() == 'd' ? 1 : throw Invalid();

    /// <summary>True, past it, when a list or dictionary ends here.</summary>
    public bool TryReadEnd() => Peek() == 'e' && ++Position > 0;

    public ReadOnlySpan<byte> ReadString()
    {
        var colon = _data[Position..].IndexOf((byte)':');
        if (colon <= 0 || !int.TryParse(_data.Slice(Position, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length > _data.Length - Position - colon - 1)
        {
            throw Invalid();
        }

        Position += colon + 1 + length;
        return _data.Slice(Position - length, length);
    }

    public long ReadInteger()
    {
        var end = _data[Position..].IndexOf((byte)'e');
        if (Peek() != 'i' || end < 2 || !long.TryParse(_data.Slice(Position + 1, end - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid();
        }

        Position += end + 1;
        return value;
    }

    /// <summary>Steps over one value of any kind, counting depth instead of recursing.</summary>
    public void Skip()
    {
        var depth = 0;
        do
        {
            switch (Peek())
            {
                case (byte)'i':
                    ReadInteger();
                    break;
                case (byte)'l' or (byte)'d':
                    (Position, depth) = (Position + 1, depth + 1);
                    break;
                case (byte)'e' when depth > 0:
                    (Position, depth) = (Position + 1, depth - 1);
                    break;
                default:
                    ReadString();
                    break;
            }
        }
        while (depth > 0);
    }

    private readonly byte Peek() => Position < _data.Length ? _data[Position] : throw Invalid();

    private readonly InvalidDataException Invalid() => new($"the torrent is not valid bencode (at byte {Position})");
}
