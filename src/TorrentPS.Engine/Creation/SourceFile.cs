namespace TorrentPS.Engine.Creation;

/// <summary>
/// One file of new content: its path in the torrent (segments below the content folder, as the file system names them),
/// where its bytes are read from (the real path: a followed link's target), and its length and last write time when it
/// was listed, which must still hold once it is hashed.
/// </summary>
internal sealed record SourceFile(IReadOnlyList<string> Segments, string ReadPath, long Length, DateTime LastWriteTimeUtc)
{
    public string RelativePath => string.Join('/', Segments);
}
