using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Where a torrent's files live on disk, and the one place their paths are made. Every path is checked, by full-path
/// comparison (<see cref="TorrentPathSanitizer.Combine"/>), to lie inside the content's root (the destination folder, or
/// the torrent's own folder in it), whatever the torrent says; the segments come already sanitised from Metainfo, so the
/// check is a second line of defence.
/// Immutable and thread-safe.
/// </summary>
public sealed class ContentLocation
{
    /// <summary>The name of the default state folder (resume data), made beside the content.</summary>
    internal const string StateFolderName = ".torrentps";

    private readonly string?[] _filePaths;

    private ContentLocation(InfoHash infoHash, string contentPath, string?[] filePaths, string stateFolder)
    {
        InfoHash = infoHash;
        ContentPath = contentPath;
        _filePaths = filePaths;
        StateFolder = stateFolder;
        ResumePath = GetResumePath(stateFolder, infoHash);
    }

    internal InfoHash InfoHash { get; }

    /// <summary>The single file of a single-file torrent, or the folder that receives a multi-file torrent's files (full path).</summary>
    public string ContentPath { get; }

    /// <summary>The folder of this torrent's resume data: by default <c>.torrentps</c> in the folder that holds <see cref="ContentPath"/>.</summary>
    internal string StateFolder { get; }

    /// <summary><c>&lt;StateFolder&gt;/&lt;info hash hex&gt;.resume</c>.</summary>
    public string ResumePath { get; }

    /// <summary>The number of files (padding files included), as in <see cref="TorrentInfo.Files"/>.</summary>
    internal int FileCount => _filePaths.Length;

    /// <summary>
    /// The <c>-DataPath</c> / <c>-Destination</c> meaning: <paramref name="folder"/> holds the single file
    /// (<c>folder/&lt;Name&gt;</c>) or the multi-file torrent's top folder (<c>folder/&lt;Name&gt;/&lt;path&gt;</c>).
    /// </summary>
    /// <param name="stateFolder">Where resume data goes; null for <c>folder/.torrentps</c>.</param>
    /// <exception cref="InvalidTorrentException">A path of the torrent would leave <paramref name="folder"/>.</exception>
    public static ContentLocation InFolder(TorrentInfo torrent, string folder, string? stateFolder = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var contentPath = TorrentPathSanitizer.Combine(folder, [torrent.Name]);
        return Create(torrent, contentPath, torrent.IsMultiFile ? contentPath : null, stateFolder);
    }

    /// <summary>
    /// The CLI's <c>download -o &lt;path&gt;</c> meaning: for a single-file torrent <paramref name="path"/> is the file;
    /// for a multi-file torrent it is the folder that receives the torrent's files directly (<c>path/&lt;path&gt;</c>,
    /// without a <c>&lt;Name&gt;</c> level).
    /// </summary>
    /// <param name="stateFolder">Where resume data goes; null for <c>.torrentps</c> in the folder that holds <paramref name="path"/>.</param>
    /// <exception cref="InvalidTorrentException">A path of the torrent would leave <paramref name="path"/>.</exception>
    internal static ContentLocation AtPath(TorrentInfo torrent, string path, string? stateFolder = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var contentPath = Path.GetFullPath(path);
        return Create(torrent, contentPath, torrent.IsMultiFile ? contentPath : null, stateFolder);
    }

    /// <summary>The resume file of a torrent in <paramref name="stateFolder"/>: known from the info hash alone.</summary>
    internal static string GetResumePath(string stateFolder, InfoHash infoHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateFolder);
        ArgumentNullException.ThrowIfNull(infoHash);
        return Path.Combine(Path.GetFullPath(stateFolder), infoHash.Hex + ".resume");
    }

    /// <summary>
    /// The resume file <see cref="InFolder"/> uses by default, from the info hash alone (a restarted magnet download
    /// knows nothing else): <c>folder/.torrentps/&lt;hex&gt;.resume</c>.
    /// </summary>
    internal static string GetDefaultResumePathInFolder(string folder, InfoHash infoHash)
        => GetResumePath(Path.Combine(Path.GetFullPath(folder), StateFolderName), infoHash);

    /// <summary>The resume file <see cref="AtPath"/> uses by default, from the info hash alone: <c>.torrentps/&lt;hex&gt;.resume</c> beside <paramref name="path"/>.</summary>
    internal static string GetDefaultResumePathAtPath(string path, InfoHash infoHash)
        => GetResumePath(DefaultStateFolder(Path.GetFullPath(path)), infoHash);

    /// <summary>
    /// Checks, before any peer is asked for anything, that a download into <paramref name="folder"/> (the folder the content
    /// and its <c>.torrentps</c> state folder go in) can write there: makes both folders and writes (and deletes) a file in
    /// the state folder.
    /// </summary>
    /// <exception cref="StorageException">
    /// <c>PathIsFile</c> (a file stands where a folder must be), <c>StorageAccessDenied</c>, <c>DiskFull</c>, or
    /// <c>StorageFailed</c> (a read-only file system …), naming the folder.
    /// </exception>
    public static void EnsureWritable(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var state = Path.Combine(Path.GetFullPath(folder), StateFolderName);
        try
        {
            Directory.CreateDirectory(state);
            using (new FileStream(Path.Combine(state, $"write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, state, writing: true);
        }
    }

    /// <summary>The full path of file <paramref name="fileIndex"/>; null for a BEP 47 padding file (never on disk).</summary>
    internal string? GetFilePath(int fileIndex)
    {
        if ((uint)fileIndex >= (uint)_filePaths.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(fileIndex), fileIndex, $"The torrent has files 0 to {_filePaths.Length - 1}.");
        }

        return _filePaths[fileIndex];
    }

    public override string ToString() => ContentPath;

    /// <param name="folder">The folder the files' segments are joined to (multi-file), or null when <paramref name="contentPath"/> is the one file.</param>
    private static ContentLocation Create(TorrentInfo torrent, string contentPath, string? folder, string? stateFolder)
    {
        var paths = new string?[torrent.Files.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            var file = torrent.Files[i];
            if (file.IsPadding)
            {
                continue;
            }

            paths[i] = folder is null ? contentPath : TorrentPathSanitizer.Combine(folder, file.PathSegments);
        }

        var state = stateFolder is null ? DefaultStateFolder(contentPath) : Path.GetFullPath(stateFolder);
        return new ContentLocation(torrent.Hash, contentPath, paths, state);
    }

    private static string DefaultStateFolder(string contentPath)
        => Path.Combine(Path.GetDirectoryName(contentPath) ?? contentPath, StateFolderName);
}
