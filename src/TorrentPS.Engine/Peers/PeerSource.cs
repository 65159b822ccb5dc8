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
}
