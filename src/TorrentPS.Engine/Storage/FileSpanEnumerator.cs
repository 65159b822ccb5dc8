namespace TorrentPS.Engine.Storage;

/// <summary>
/// The <see cref="FileSpan"/>s of one byte range of a torrent, in order, without allocating: use it in <c>foreach</c>
/// (<see cref="FileLayout.GetSpans(int, int, int)"/>). Zero-length files hold no bytes and never appear.
/// </summary>
internal struct FileSpanEnumerator
{
    private readonly FileLayout _layout;
    private long _offset;
    private int _remaining;
    private int _bufferOffset;
    private int _file;

    internal FileSpanEnumerator(FileLayout layout, long offset, int length)
    {
        _layout = layout;
        _offset = offset;
        _remaining = length;
        _bufferOffset = 0;
        _file = length > 0 ? layout.FindFile(offset) : 0;
        Current = default;
    }

    public FileSpan Current { readonly get; private set; }

    public readonly FileSpanEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining == 0)
        {
            return false;
        }

        // Zero-length files (and nothing else) lie between one span's file and the next one's.
        while (_layout.GetFileLength(_file) == 0)
        {
            _file++;
        }

        var inFile = _offset - _layout.GetFileOffset(_file);
        var length = (int)Math.Min(_remaining, _layout.GetFileLength(_file) - inFile);
        Current = new FileSpan(_file, inFile, _bufferOffset, length);
        _offset += length;
        _bufferOffset += length;
        _remaining -= length;
        _file++;
        return true;
    }
}
