namespace TorrentPS.Engine.Peers;

/// <summary>Where a peer address came from.</summary>
public enum PeerSource
{
    Tracker,
    Dht,
    Pex,
    Magnet,
    Manual,
    Incoming,

    /// <summary>Local service discovery (BEP 14): a peer on the same network announced the torrent.</summary>
    Local,
}
