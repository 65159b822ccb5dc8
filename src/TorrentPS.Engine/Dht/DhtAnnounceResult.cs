namespace TorrentPS.Engine.Dht;

/// <summary>What one <see cref="DhtNode.AnnounceAsync"/> did.</summary>
/// <param name="NodesAnnouncedTo">Nodes among the closest to the info hash that accepted our <c>announce_peer</c>.</param>
/// <param name="PeersFound">Distinct peers the <c>get_peers</c> lookup before it found (each was passed to the callback).</param>
/// <param name="NodesQueried">Nodes the lookup queried.</param>
internal sealed record DhtAnnounceResult(int NodesAnnouncedTo, int PeersFound, int NodesQueried);
