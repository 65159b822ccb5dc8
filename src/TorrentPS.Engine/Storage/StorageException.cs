using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// A torrent's data could not be read or written. <see cref="Path"/> names the file (or folder) at fault; the
/// <see cref="TorrentPSException.ErrorId"/> says what went wrong: <c>DiskFull</c>, <c>StorageAccessDenied</c>,
/// <c>PathIsDirectory</c> (a folder stands where a file must be), <c>PathIsFile</c> (a file stands where a folder must
/// be), <c>FileLocked</c> (another process holds the file) or <c>StorageFailed</c> (any other I/O error).
/// </summary>
public sealed class StorageException : TorrentPSException
{
    private StorageException(string errorId, TorrentErrorKind kind, string path, string message, Exception? innerException = null)
        : base(errorId, kind, message, innerException)
        => Path = path;

    /// <summary>The file or folder the operation failed on.</summary>
    public string Path { get; }

    public static StorageException DiskFull(string path, Exception? innerException = null)
        => new("DiskFull", TorrentErrorKind.ResourceUnavailable, path, $"The disk is full: cannot write '{path}'.", innerException);

    public static StorageException AccessDenied(string path, Exception? innerException = null)
        => new("StorageAccessDenied", TorrentErrorKind.PermissionDenied, path, $"Access to '{path}' is denied.", innerException);

    /// <summary>The same id the module uses for a folder given where a file was expected.</summary>
    public static StorageException PathIsDirectory(string path, Exception? innerException = null)
        => new("PathIsDirectory", TorrentErrorKind.InvalidArgument, path, $"'{path}' is a directory, not a file.", innerException);

    public static StorageException PathIsFile(string path, Exception? innerException = null)
        => new("PathIsFile", TorrentErrorKind.InvalidArgument, path, $"'{path}' is a file where a folder must be.", innerException);

    public static StorageException FileLocked(string path, Exception? innerException = null)
        => new("FileLocked", TorrentErrorKind.ResourceUnavailable, path, $"'{path}' is locked by another process.", innerException);

    public static StorageException Failed(string path, bool writing, Exception innerException)
        => new(
            "StorageFailed",
            writing ? TorrentErrorKind.WriteError : TorrentErrorKind.ReadError,
            path,
            $"Cannot {(writing ? "write" : "read")} '{path}': {innerException.Message}",
            innerException);
}
