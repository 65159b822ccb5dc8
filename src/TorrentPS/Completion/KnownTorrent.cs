using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Completion;

/// <summary>What tab completion knows of a torrent: its info hash, name and trackers (from a .torrent file or a magnet link).</summary>
internal sealed record KnownTorrent(InfoHash InfoHash, string? Name, IReadOnlyList<string> Trackers)
{
    /// <summary>The largest .torrent file completion reads: completion must stay instant.</summary>
    public const long MaxFileLength = 4 * 1024 * 1024;

    /// <summary>At most this many .torrent files of a folder are read for one completion.</summary>
    public const int MaxFilesPerFolder = 64;

    public static KnownTorrent From(TorrentInfo torrent) => new(torrent.Hash, torrent.Name, torrent.Trackers);

    public static KnownTorrent From(MagnetLink magnet) => new(magnet.Hash, magnet.DisplayName, magnet.Trackers);

    /// <summary>The torrent a path or magnet link names, or null when it cannot be read (completion never fails).</summary>
    public static KnownTorrent? TryRead(string pathOrLink)
    {
        try
        {
            if (MagnetLink.TryParse(pathOrLink, out var magnet))
            {
                return From(magnet);
            }

            var file = new FileInfo(pathOrLink);
            return file.Exists && file.Length <= MaxFileLength ? From(TorrentInfo.Parse(File.ReadAllBytes(file.FullName), file.FullName)) : null;
        }
        catch (Exception ex) when (ex is Engine.Errors.TorrentPSException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The torrents of the .torrent files in <paramref name="folder"/> (at most <see cref="MaxFilesPerFolder"/>), by file name.</summary>
    public static IReadOnlyList<KnownTorrent> InFolder(string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*.torrent")
                .Order(StringComparer.Ordinal)
                .Take(MaxFilesPerFolder)
                .Select(TryRead)
                .OfType<KnownTorrent>()
                .ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }
}
