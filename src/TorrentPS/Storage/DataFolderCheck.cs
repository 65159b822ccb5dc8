using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Storage;

/// <summary>
/// What Test-Torrent and Start-TorrentSeed say about a <c>-DataPath</c> before they look at the data: a folder that does
/// not exist is an error (not a torrent with every file missing), and the torrent's own top folder, a common mistake
/// (the data is then looked for in <c>album/album</c>), is worth a warning that says what to pass instead.
/// </summary>
internal static class DataFolderCheck
{
    /// <exception cref="TorrentPSException"><c>DataPathNotFound</c>: <paramref name="folder"/> does not exist.</exception>
    public static void ThrowIfMissing(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new TorrentPSException(
                "DataPathNotFound",
                TorrentErrorKind.ObjectNotFound,
                $"The data path '{folder}' does not exist. -DataPath names the folder that holds the torrent's single file or its top folder.");
        }
    }

    /// <summary>
    /// The warning for a multi-file torrent whose data is not in <c>folder/&lt;Name&gt;</c> but whose files are right in
    /// <paramref name="folder"/> (the torrent's own top folder was given); null when the folder is not that mistake.
    /// </summary>
    public static string? OwnFolderWarning(TorrentInfo torrent, string folder)
    {
        if (!torrent.IsMultiFile || Directory.Exists(Path.Combine(folder, torrent.Name)))
        {
            return null;
        }

        var holdsItsFiles = torrent.Files.Any(f => !f.IsPadding && File.Exists(Path.Combine([folder, .. f.PathSegments])));
        if (!holdsItsFiles)
        {
            return null;
        }

        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder)) ?? folder;
        return $"'{folder}' looks like the torrent's own folder: it holds {torrent.Name}'s files, so they were looked for in '{Path.Combine(folder, torrent.Name)}'. "
            + $"-DataPath names the folder that holds the top folder: pass '{parent}'.";
    }
}
