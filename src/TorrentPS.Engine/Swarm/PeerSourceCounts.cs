namespace TorrentPS.Engine.Swarm;

/// <summary>
/// How many new peer addresses each way of finding peers gave a torrent: its trackers, the DHT, peer exchange, local
/// discovery (peers given by hand or by the magnet link, and peers that connected to us, are not counted here).
/// </summary>
public sealed record PeerSourceCounts
{
    public int Trackers { get; init; }

    public int Dht { get; init; }

    public int Pex { get; init; }

    public int Local { get; init; }

    public override string ToString() => $"trackers {Trackers}, DHT {Dht}, PEX {Pex}, local {Local}";
}
