namespace TorrentPS.Engine.Metainfo;

/// <summary>One file of a torrent, at <see cref="Offset"/> in the torrent's concatenated content.</summary>
public sealed class TorrentFile
{
    public TorrentFile(IReadOnlyList<string> pathSegments, long length, long offset, bool isPadding = false, string attributes = "")
    {
        PathSegments = pathSegments;
        Length = length;
        Offset = offset;
        IsPadding = isPadding;
        Attributes = attributes;
    }

    /// <summary>The sanitised path below the torrent's folder, with '/' between segments.</summary>
    public string Path => string.Join('/', PathSegments);

    /// <summary>
    /// The sanitised path segments; none is empty, '.', '..', absolute or a reserved device name. In a parsed
    /// torrent no two non-padding files share a path (compared without regard to case) and no file stands
    /// where another needs a folder: clashes get numbered names (<c>name.1.ext</c>).
    /// </summary>
    /// <remarks>Internal (and <see cref="GetPathSegments"/> a method) so that <c>ConvertTo-Json</c> of a torrent stays within its default depth.</remarks>
    internal IReadOnlyList<string> PathSegments { get; }

    /// <summary>The sanitised path segments (see <see cref="Path"/>).</summary>
    public IReadOnlyList<string> GetPathSegments() => PathSegments;

    public long Length { get; }

    /// <summary>Where the file starts in the torrent's content (the sum of the lengths before it).</summary>
    public long Offset { get; }

    /// <summary>A BEP 47 padding file: its bytes are zeros and it is never written to disk.</summary>
    public bool IsPadding { get; }

    /// <summary>The BEP 47 attribute letters (<c>p</c> padding, <c>x</c> executable, <c>h</c> hidden, <c>l</c> symlink).</summary>
    public string Attributes { get; }

    public override string ToString() => Path;
}
