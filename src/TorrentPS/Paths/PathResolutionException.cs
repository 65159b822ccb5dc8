using TorrentPS.Engine.Errors;

namespace TorrentPS.Paths;

/// <summary>A path a cmdlet cannot use: not a FileSystem path, a directory where a file is expected, a file where a folder is.</summary>
public sealed class PathResolutionException : TorrentPSException
{
    private PathResolutionException(string errorId, TorrentErrorKind kind, string message, string path)
        : base(errorId, kind, message) => Path = path;

    public string Path { get; }

    public static PathResolutionException NotFileSystem(string path, string providerName)
        => new("NotFileSystemPath", TorrentErrorKind.InvalidArgument, $"'{path}' is a path of the {providerName} provider; TorrentPS reads files from the FileSystem provider only.", path);

    public static PathResolutionException IsDirectory(string path)
        => new("PathIsDirectory", TorrentErrorKind.InvalidArgument, $"'{path}' is a directory, not a file.", path);

    /// <summary>The same id the storage layer uses for a file where a folder must be.</summary>
    public static PathResolutionException IsFile(string path)
        => new("PathIsFile", TorrentErrorKind.InvalidArgument, $"'{path}' is a file, not a folder.", path);

    public static PathResolutionException Ambiguous(string path, int matches, string wanted = "one file to write")
        => new("AmbiguousPath", TorrentErrorKind.InvalidArgument, $"'{path}' matches {matches} items; name {wanted}.", path);

    /// <summary>A wildcard path that matches no file, and no file has that name either.</summary>
    public static PathResolutionException NoMatch(string path)
        => new("PathNotFound", TorrentErrorKind.ObjectNotFound, $"No file matches '{path}'. A name with wildcard characters ([ ] * ?) is a pattern: use -LiteralPath to name such a file exactly.", path);

    public static PathResolutionException NotFound(string path)
        => new("PathNotFound", TorrentErrorKind.ObjectNotFound, $"Cannot find the file '{path}' because it does not exist.", path);
}
