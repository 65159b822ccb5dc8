using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>The torrent peers are looked for: its info hash, its tracker tiers, what we announce as <c>left</c>, and peers already known.</summary>
public sealed record PeerDiscoveryTarget
{
    public required InfoHash InfoHash { get; init; }

    /// <summary>BEP 12 tiers of tracker URLs.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; init; }

    /// <summary>Bytes still to download, as announced.</summary>
    public required long Left { get; init; }

    /// <summary>Peers known without a tracker (a magnet link's <c>x.pe</c>), emitted first with source Magnet.</summary>
    public IReadOnlyList<IPEndPoint> KnownPeers { get; init; } = [];

    /// <summary>A private torrent (BEP 27): its peers come from its trackers only, never the DHT.</summary>
    public bool IsPrivate { get; init; }

    /// <summary>A torrent's tiers; <c>left</c> is its whole length, as nothing of it is on disk here.</summary>
    public static PeerDiscoveryTarget FromTorrent(TorrentInfo torrent)
        => new() { InfoHash = torrent.Hash, TrackerTiers = torrent.TrackerTiers, Left = Math.Max(torrent.Length, 1), IsPrivate = torrent.IsPrivate };

    /// <summary>
    /// A magnet link's <c>tr</c> trackers, each in a tier of its own so every one is asked (a link carries no tiers),
    /// its <c>x.pe</c> peers, and <c>left</c> = <c>xl</c> when given, else <see cref="AnnounceRequest.UnknownLengthPlaceholder"/>.
    /// </summary>
    public static PeerDiscoveryTarget FromMagnet(MagnetLink magnet)
    {
        return new PeerDiscoveryTarget
        {
            InfoHash = magnet.Hash,
            TrackerTiers = magnet.Trackers.Select(t => (IReadOnlyList<string>)[t]).ToArray(),
            Left = magnet.ExactLength is > 0 and { } xl ? xl : AnnounceRequest.UnknownLengthPlaceholder,
            KnownPeers = magnet.PeerEndPoints,
        };
    }

    /// <summary>This target with only <paramref name="trackers"/>, each in a tier of its own.</summary>
    public PeerDiscoveryTarget WithTrackers(IEnumerable<string> trackers)
        => this with { TrackerTiers = trackers.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal).Select(t => (IReadOnlyList<string>)[t]).ToArray() };
}
