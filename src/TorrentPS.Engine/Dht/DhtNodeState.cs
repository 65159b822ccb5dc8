namespace TorrentPS.Engine.Dht;

/// <summary>BEP 5's standing of a node in the routing table.</summary>
public enum DhtNodeState : long
{
    /// <summary>It answered one of our queries in the last 15 minutes, or answered once and queried us in the last 15 minutes.</summary>
    Good,

    /// <summary>Quiet for 15 minutes: pinged before it is replaced.</summary>
    Questionable,

    /// <summary>It failed to answer: replaced as soon as a better node is known.</summary>
    Bad,
}
