using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Peers;

namespace TorrentPS.Torrents;

/// <summary>
/// A torrent named by its file and the info hash it must have: how a TorrentInfo that came back through
/// Export-Clixml, a job or a CSV file binds (its <c>SourcePath</c> and <c>InfoHash</c> properties), to be read again.
/// </summary>
internal static class TorrentReference
{
    /// <summary>The expected info hash of <c>-InfoHash</c>; null when none was given.</summary>
    /// <exception cref="TorrentPSException"><c>InvalidInfoHash</c>.</exception>
    public static InfoHash? ParseExpected(string? text)
        => string.IsNullOrWhiteSpace(text) ? null : PeerHandshakeTargets.ParseInfoHash(text);

    /// <summary>Throws <c>TorrentChanged</c> when <paramref name="torrent"/> is not the torrent <paramref name="expected"/> names.</summary>
    public static TorrentInfo Check(TorrentInfo torrent, InfoHash? expected, string path)
        => expected is null || torrent.Hash.Equals(expected)
            ? torrent
            : throw new TorrentPSException(
                "TorrentChanged",
                TorrentErrorKind.InvalidData,
                $"'{path}' now holds the torrent {torrent.Hash.Hex}, not {expected.Hex}: the file changed since the torrent was read.");

    /// <summary>
    /// Throws <c>InfoHashMismatch</c> when <paramref name="link"/> names another torrent than <paramref name="expected"/>
    /// (<c>-InfoHash</c> beside <c>-MagnetLink</c>: a piped MagnetLink binds both, and always matches).
    /// </summary>
    public static MagnetLink CheckLink(MagnetLink link, InfoHash? expected)
        => expected is null || link.Hash.Equals(expected)
            ? link
            : throw new TorrentPSException(
                "InfoHashMismatch",
                TorrentErrorKind.InvalidArgument,
                $"The magnet link names the torrent {link.Hash.Hex}, not {expected.Hex} (-InfoHash).");

    /// <summary>Reads the torrent at <paramref name="path"/> and checks it is the one <paramref name="expected"/> names.</summary>
    public static async Task<TorrentInfo> LoadAsync(string path, InfoHash? expected, CancellationToken cancellationToken)
        => Check(await TorrentInfo.LoadAsync(path, cancellationToken).ConfigureAwait(false), expected, path);
}
