namespace TorrentPS.Engine.Storage;

/// <summary>
/// What a file looked like on disk at one moment: its length (-1 when it does not exist, or is not a file) and its last
/// write time (UTC). Resume data keeps one per file, so that a file changed since a checkpoint is re-hashed.
/// </summary>
internal readonly record struct FileStamp(long Length, DateTime LastWriteTimeUtc)
{
    /// <summary>No file (or a folder where the file should be).</summary>
    public static FileStamp Missing { get; } = new(-1, default);

    public bool Exists => Length >= 0;

    /// <summary>The stamp of the file at <paramref name="path"/> now; <see cref="Missing"/> for a null path (padding).</summary>
    public static FileStamp Of(string? path)
    {
        if (path is null)
        {
            return Missing;
        }

        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : Missing;
    }
}
