using TorrentPS.Engine.Errors;

namespace TorrentPS.Paths;

/// <summary>A path a cmdlet cannot read a file from: not a FileSystem path, or a directory.</summary>
public sealed class PathResolutionException : TorrentPSException
{
    private PathResolutionException(string errorId, TorrentErrorKind kind, string message, string path)
        : base(errorId, kind, message) => Path = path;

    public string Path { get; }

    public static PathResolutionException NotFileSystem(string path, string providerName)
        => new("NotFileSystemPath", TorrentErrorKind.InvalidArgument, $"'{path}' is a path of the {providerName} provider; TorrentPS reads files from the FileSystem provider only.", path);

    public static PathResolutionException IsDirectory(string path)
        => new("PathIsDirectory", TorrentErrorKind.InvalidArgument, $"'{path}' is a directory, not a file.", path);

    public static PathResolutionException NotFound(string path)
        => new("PathNotFound", TorrentErrorKind.ObjectNotFound, $"Cannot find the file '{path}' because it does not exist.", path);
}
