namespace TorrentPS.Engine.Dht;

/// <summary>One bucket of the routing table: up to k nodes, a replacement cache of nodes waiting for a place, and when it last changed.</summary>
internal sealed class KBucket(DateTimeOffset created)
{
    public List<RoutingNode> Nodes { get; } = [];

    /// <summary>Nodes that answered us but found the bucket full of good nodes; the most recent take the place of bad ones.</summary>
    public List<RoutingNode> Replacements { get; } = [];

    /// <summary>When a node was added, replaced or answered a ping (BEP 5's "last changed"); a bucket quiet for 15 minutes is refreshed.</summary>
    public DateTimeOffset LastChanged { get; set; } = created;
}
