using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Torrents;

/// <summary>
/// One torrent a cmdlet was given, in any of the forms the torrent cmdlets take: a parsed <see cref="TorrentInfo"/>, a
/// .torrent path already resolved by the provider (with the info hash it must have, when it came back through
/// Export-Clixml, a job or a CSV file), or a magnet link. <see cref="TorrentInputCmdlet"/> makes them.
/// </summary>
internal sealed class TorrentInput
{
    private TorrentInput(object target, TorrentInfo? torrent, string? path, MagnetLink? magnet, InfoHash? expectedInfoHash)
    {
        Target = target;
        Torrent = torrent;
        Path = path;
        Magnet = magnet;
        ExpectedInfoHash = expectedInfoHash;
    }

    /// <summary>What an error about this input names: the torrent, the path or the link.</summary>
    public object Target { get; }

    public TorrentInfo? Torrent { get; }

    /// <summary>A .torrent file (a FileSystem provider path).</summary>
    public string? Path { get; }

    public MagnetLink? Magnet { get; }

    /// <summary>The info hash the torrent at <see cref="Path"/> must have (a TorrentInfo read again from its SourcePath).</summary>
    public InfoHash? ExpectedInfoHash { get; }

    /// <summary>What a verbose line or a ShouldProcess message calls this input.</summary>
    public string Description => Torrent?.Name ?? Path ?? Transfers.MagnetNames.Of(Magnet!);

    public static TorrentInput ForTorrent(TorrentInfo torrent) => new(torrent ?? throw new ArgumentNullException(nameof(torrent)), torrent, null, null, null);

    /// <summary>A file-system path already resolved by the provider.</summary>
    public static TorrentInput ForPath(string providerPath, InfoHash? expectedInfoHash = null) => new(providerPath, null, providerPath, null, expectedInfoHash);

    public static TorrentInput ForMagnet(MagnetLink magnet) => new(magnet, null, null, magnet, null);

    /// <summary>True for text that is a magnet link rather than a path, so <c>Get-TorrentInfo 'magnet:?…'</c> works positionally.</summary>
    public static bool LooksLikeMagnet(string? text) => text is not null && text.TrimStart().StartsWith("magnet:?", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The torrent: the one given, or the file read (and checked against <see cref="ExpectedInfoHash"/>). Throws the
    /// engine's typed errors (InvalidTorrent, TorrentChanged …) or file errors for a bad file, and <c>MagnetLinkNotSupported</c>
    /// for a magnet link, whose metadata only peers have (the cmdlets that fetch it look at <see cref="Magnet"/> first).
    /// </summary>
    public Task<TorrentInfo> LoadAsync(CancellationToken cancellationToken)
    {
        if (Torrent is not null)
        {
            return Task.FromResult(Torrent);
        }

        if (Path is not null)
        {
            return TorrentReference.LoadAsync(Path, ExpectedInfoHash, cancellationToken);
        }

        throw new TorrentPSException(
            "MagnetLinkNotSupported",
            TorrentErrorKind.InvalidArgument,
            $"'{Transfers.MagnetNames.Of(Magnet!)}' is a magnet link: its metadata comes from peers. Fetch it first (Get-TorrentInfo -MagnetLink <link>) and pipe the TorrentInfo, or save it with Export-Torrent.");
    }
}
