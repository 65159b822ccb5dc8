namespace TorrentPS.Engine.Storage;

/// <summary>Turns what the file system throws into a <see cref="StorageException"/> naming the file.</summary>
internal static class StorageErrors
{
    // errno values on Linux and macOS (.NET puts the raw errno in IOException.HResult there).
    private const int UnixEnospc = 28;
    private const int UnixEdquot = 122;
    private const int UnixEdquotMac = 69;
    private const int UnixEagain = 11;
    private const int UnixEagainMac = 35;

    // Win32 errors, as .NET's HRESULTs (0x8007xxxx).
    private const int WinSharingViolation = unchecked((int)0x80070020);
    private const int WinLockViolation = unchecked((int)0x80070021);
    private const int WinHandleDiskFull = unchecked((int)0x80070027);
    private const int WinDiskFull = unchecked((int)0x80070070);

    /// <summary>True for the exceptions file I/O throws, which <see cref="Classify"/> turns into typed errors.</summary>
    public static bool IsIOFault(Exception exception) => exception is IOException or UnauthorizedAccessException;

    /// <summary>
    /// The typed error for <paramref name="exception"/>, thrown while reading (or, with <paramref name="writing"/>,
    /// writing) <paramref name="path"/>. Looks at the disk to tell a folder in the file's place, or a file in a parent
    /// folder's place, from a plain permission or not-found error.
    /// </summary>
    public static StorageException Classify(Exception exception, string path, bool writing)
    {
        if (exception is StorageException typed)
        {
            return typed;
        }

        if (Directory.Exists(path))
        {
            return StorageException.PathIsDirectory(path, exception);
        }

        if (FileInPlaceOfFolder(path) is { } blocker)
        {
            return StorageException.PathIsFile(blocker, exception);
        }

        if (exception is UnauthorizedAccessException)
        {
            return StorageException.AccessDenied(path, exception);
        }

        return exception.HResult switch
        {
            WinDiskFull or WinHandleDiskFull => StorageException.DiskFull(path, exception),
            WinSharingViolation or WinLockViolation => StorageException.FileLocked(path, exception),
            UnixEnospc or UnixEdquot or UnixEdquotMac when !OperatingSystem.IsWindows() => StorageException.DiskFull(path, exception),
            UnixEagain or UnixEagainMac when !OperatingSystem.IsWindows() => StorageException.FileLocked(path, exception),
            _ => StorageException.Failed(path, writing, exception),
        };
    }

    /// <summary>The nearest ancestor of <paramref name="path"/> that exists as a file, if any.</summary>
    private static string? FileInPlaceOfFolder(string path)
    {
        for (var folder = System.IO.Path.GetDirectoryName(path); !string.IsNullOrEmpty(folder); folder = System.IO.Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                return folder;
            }

            if (Directory.Exists(folder))
            {
                return null;
            }
        }

        return null;
    }
}
