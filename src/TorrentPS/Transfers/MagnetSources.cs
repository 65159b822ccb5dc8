using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Transfers;

/// <summary>Where a magnet link's metadata can be asked for: its trackers (<c>tr</c>), its peers (<c>x.pe</c>) and <c>-Peer</c>.</summary>
internal static class MagnetSources
{
    /// <summary>
    /// The error for a link that names no tracker and no peer when no <c>-Peer</c> was given either: nothing could ever
    /// answer, so it is said at once instead of after the timeout. Null when there is somewhere to ask.
    /// </summary>
    public static TorrentPSException? NowhereToAsk(MagnetLink magnet, IReadOnlyCollection<IPEndPoint> peers)
        => magnet.Trackers.Count > 0 || magnet.PeerAddresses.Count > 0 || peers.Count > 0
            ? null
            : new TorrentPSException(
                "NowhereToAsk",
                TorrentErrorKind.InvalidArgument,
                $"The magnet link of '{MagnetNames.Of(magnet)}' names no tracker (tr) and no peer (x.pe), no -Peer was given, and the DHT is not enabled: there is nowhere to ask for its metadata. Give a peer with -Peer <ip:port>, or use a link with a tracker.");
}
