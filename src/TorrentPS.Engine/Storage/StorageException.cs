using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// A torrent's data could not be read or written. <see cref="Path"/> names the file (or folder) at fault; the
/// <see cref="TorrentPSException.ErrorId"/> says what went wrong: <c>DiskFull</c>, <c>StorageAccessDenied</c>,
/// <c>PathIsDirectory</c> (a folder stands where a file must be), <c>PathIsFile</c> (a file stands where a folder must
/// be), <c>FileLocked</c> (another process holds the file), <c>StorageFailed</c> (any other I/O error) or
/// <c>DataChangedOnDisk</c> (something other than the download changed its files while it ran).
/// </summary>
public sealed class StorageException : TorrentPSException
{
    private StorageException(string errorId, TorrentErrorKind kind, string path, string message, Exception? innerException = null)
        : base(errorId, kind, message, innerException)
        => Path = path;

    /// <summary>The file or folder the operation failed on.</summary>
    public string Path { get; }

    internal static StorageException DiskFull(string path, Exception? innerException = null)
        => new("DiskFull", TorrentErrorKind.ResourceUnavailable, path, $"The disk is full: cannot write '{path}'.", innerException);

    internal static StorageException AccessDenied(string path, Exception? innerException = null)
        => new("StorageAccessDenied", TorrentErrorKind.PermissionDenied, path, $"Access to '{path}' is denied.", innerException);

    /// <summary>The same id the module uses for a folder given where a file was expected.</summary>
    internal static StorageException PathIsDirectory(string path, Exception? innerException = null)
        => new("PathIsDirectory", TorrentErrorKind.InvalidArgument, path, $"'{path}' is a directory, not a file.", innerException);

    public static StorageException PathIsFile(string path, Exception? innerException = null)
        => new("PathIsFile", TorrentErrorKind.InvalidArgument, path, $"'{path}' is a file where a folder must be.", innerException);

    internal static StorageException FileLocked(string path, Exception? innerException = null)
        => new("FileLocked", TorrentErrorKind.ResourceUnavailable, path, $"'{path}' is locked by another process.", innerException);

    /// <summary>
    /// Files of a download were changed on disk by something other than the download while it ran (truncated,
    /// overwritten, replaced or deleted): <paramref name="pieces"/> pieces it had verified can no longer be trusted, so it
    /// is not complete. Running it again checks them and fetches what is wrong.
    /// </summary>
    internal static StorageException DataChanged(string path, IReadOnlyList<string> files, int pieces)
    {
        ArgumentNullException.ThrowIfNull(files);
        var named = files.Count == 0 ? $"'{path}'" : string.Join(", ", files.Take(3).Select(f => $"'{f}'")) + (files.Count > 3 ? $" and {files.Count - 3} more" : string.Empty);
        return new(
            "DataChangedOnDisk",
            TorrentErrorKind.InvalidData,
            files.Count > 0 ? files[0] : path,
            $"{named} changed on disk while the download ran (not by the download): {pieces} verified pieces can no longer be trusted. Run it again to check them and fetch what is wrong.");
    }

    /// <summary>Any other I/O error: <c>Cannot write '/x/y': Read-only file system.</c> (the path once, the system's reason after it).</summary>
    internal static StorageException Failed(string path, bool writing, Exception innerException)
        => new(
            "StorageFailed",
            writing ? TorrentErrorKind.WriteError : TorrentErrorKind.ReadError,
            path,
            $"Cannot {(writing ? "write" : "read")} '{path}': {Reason(innerException.Message, path)}",
            innerException);

    /// <summary>
    /// The system's reason without the path it repeats: .NET on Unix writes <c>Read-only file system : '/x/y'</c>; the
    /// message already names the path.
    /// </summary>
    private static string Reason(string message, string path)
    {
        var reason = message.Trim();
        var quoted = $"'{path}'";
        if (reason.EndsWith(quoted, StringComparison.Ordinal))
        {
            reason = reason[..^quoted.Length].TrimEnd().TrimEnd(':', ',').TrimEnd();
        }

        return reason.Length == 0 ? "the system gave no reason." : reason.EndsWith('.') ? reason : reason + ".";
    }
}
