namespace TorrentPS.Engine.Storage;

/// <summary>What a check found of one file of a torrent (padding files are not listed).</summary>
public sealed class FileVerification
{
    internal FileVerification(int fileIndex, string path, string relativePath, long length, FileStamp stamp, FileVerificationStatus status)
    {
        FileIndex = fileIndex;
        Path = path;
        RelativePath = relativePath;
        Length = length;
        Exists = stamp.Exists;
        ExistingLength = Math.Max(0, stamp.Length);
        Status = status;
    }

    /// <summary>The file's index in the torrent's file list (padding files included).</summary>
    public int FileIndex { get; }

    /// <summary>The full path on disk.</summary>
    public string Path { get; }

    /// <summary>The path below the torrent's folder, '/'-separated, as the torrent names it.</summary>
    public string RelativePath { get; }

    /// <summary>The length the torrent says.</summary>
    public long Length { get; }

    /// <summary>The length on disk; 0 when the file does not exist.</summary>
    public long ExistingLength { get; }

    /// <summary>False when there is no file at <see cref="Path"/> (or a folder stands there).</summary>
    public bool Exists { get; }

    /// <summary>Complete, Incomplete, Missing, or Skipped (absent by choice: the file selection skips it, so it was not checked).</summary>
    public FileVerificationStatus Status { get; }

    /// <summary>The file exists, is at least <see cref="Length"/> long, and every piece holding its bytes is valid (never for a skipped file).</summary>
    public bool IsComplete => Status == FileVerificationStatus.Complete;

    /// <summary>The file selection skips it: absent by choice, not checked.</summary>
    public bool IsSkipped => Status == FileVerificationStatus.Skipped;

    public override string ToString() => Path;
}
