namespace TorrentPS.Engine.Dht;

/// <summary>One bucket of our routing table as it stood when the snapshot was taken.</summary>
/// <param name="Index">The bucket's place: its nodes share exactly this many leading bits with our id (at least this many in our own, last bucket).</param>
/// <param name="HoldsOwnId">True for the last bucket, the one that holds our id and the only one that splits.</param>
/// <param name="Nodes">Nodes in it (at most 8).</param>
/// <param name="GoodNodes">Of those, the good ones.</param>
/// <param name="Replacements">Nodes waiting in its replacement cache.</param>
/// <param name="LastChanged">When a node was added, replaced or answered in it.</param>
internal sealed record DhtBucketInfo(int Index, bool HoldsOwnId, int Nodes, int GoodNodes, int Replacements, DateTimeOffset LastChanged);
