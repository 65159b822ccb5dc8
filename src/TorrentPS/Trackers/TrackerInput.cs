using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Torrents;

namespace TorrentPS.Trackers;

/// <summary>
/// One thing Get-TorrentPeer or Get-TorrentTracker was given — a parsed torrent, a resolved .torrent path or a
/// magnet link — turned into the target the engine asks trackers about.
/// </summary>
internal sealed class TrackerInput
{
    private TrackerInput(object target, TorrentInfo? torrent, string? path, string? magnet, InfoHash? expectedInfoHash = null)
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

    public string? Path { get; }

    public string? Magnet { get; }

    /// <summary>The info hash the torrent at <see cref="Path"/> must have (a TorrentInfo read again from its SourcePath).</summary>
    public InfoHash? ExpectedInfoHash { get; }

    public static TrackerInput ForTorrent(TorrentInfo torrent) => new(torrent, torrent, null, null);

    /// <summary>A file-system path already resolved by the provider.</summary>
    public static TrackerInput ForPath(string providerPath, InfoHash? expectedInfoHash = null) => new(providerPath, null, providerPath, null, expectedInfoHash);

    public static TrackerInput ForMagnet(string link) => new(link, null, null, link);

    /// <summary>A -MagnetLink value: a MagnetLink object or its text.</summary>
    public static TrackerInput ForMagnet(object value) => value switch
    {
        MagnetLink magnet => new TrackerInput(magnet, null, null, magnet.Uri),
        _ => ForMagnet(value.ToString() ?? string.Empty),
    };

    /// <summary>True for text that is a magnet link rather than a path (so <c>Get-TorrentPeer 'magnet:?…'</c> works positionally).</summary>
    public static bool LooksLikeMagnet(string text) => text.TrimStart().StartsWith("magnet:?", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The engine target; <paramref name="trackers"/>, when given, replaces the input's own trackers. Throws the
    /// engine's typed errors (InvalidTorrent, InvalidMagnetLink, …) or file errors for a bad input.
    /// </summary>
    public async Task<PeerDiscoveryTarget> ResolveAsync(IReadOnlyList<string>? trackers, CancellationToken cancellationToken)
        => (await ResolveNamedAsync(trackers, cancellationToken).ConfigureAwait(false)).Target;

    /// <summary>As <see cref="ResolveAsync"/>, with the torrent's name (a magnet link's display name; null when it has none) for progress.</summary>
    public async Task<(PeerDiscoveryTarget Target, string? Name)> ResolveNamedAsync(IReadOnlyList<string>? trackers, CancellationToken cancellationToken)
    {
        PeerDiscoveryTarget target;
        string? name;
        if (Torrent is not null)
        {
            target = PeerDiscoveryTarget.FromTorrent(Torrent);
            name = Torrent.Name;
        }
        else if (Path is not null)
        {
            var torrent = await TorrentReference.LoadAsync(Path, ExpectedInfoHash, cancellationToken).ConfigureAwait(false);
            target = PeerDiscoveryTarget.FromTorrent(torrent);
            name = torrent.Name;
        }
        else
        {
            var magnet = MagnetLink.Parse(Magnet!);
            target = PeerDiscoveryTarget.FromMagnet(magnet);
            name = magnet.DisplayName;
        }

        return (trackers is { Count: > 0 } ? target.WithTrackers(trackers) : target, name);
    }
}
