namespace TorrentPS.Engine.Creation;

/// <summary>Which metainfo a new torrent carries.</summary>
public enum TorrentVersion
{
    /// <summary>BitTorrent v1 (BEP 3): SHA-1 piece hashes; every client reads it.</summary>
    V1,

    /// <summary>
    /// BEP 52 hybrid: the v1 metainfo (with BEP 47 padding files so that each file starts on a piece boundary) and the v2
    /// metainfo (a SHA-256 merkle tree per file) in one torrent, with two info hashes, so v1 and v2 clients share one swarm.
    /// </summary>
    Hybrid,
}
