namespace TorrentPS.Engine.Dht;

/// <summary>What the routing table did with a node it heard from.</summary>
internal enum RoutingOutcome
{
    /// <summary>Added to a bucket with room (after splitting ours, maybe).</summary>
    Added,

    /// <summary>Already known: its times were updated.</summary>
    Updated,

    /// <summary>Took the place of a bad node.</summary>
    Replaced,

    /// <summary>Its bucket is full: kept in the replacement cache (and a questionable node may need a ping).</summary>
    Cached,

    /// <summary>It queried us and is unknown: it would be admitted once it answers a ping.</summary>
    NeedsVerification,

    /// <summary>Not admitted: our own id, an unusable address, another node on its IP, or its id on another address.</summary>
    Rejected,
}

/// <summary>The outcome, and a questionable node the caller must ping before it can be replaced.</summary>
internal readonly record struct RoutingResult(RoutingOutcome Outcome, RoutingNode? PingFirst = null);
