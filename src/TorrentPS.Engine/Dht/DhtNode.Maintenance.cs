using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Dht;

/// <summary>The node's upkeep, once per <see cref="DhtOptions.MaintenanceInterval"/> on its clock.</summary>
internal sealed partial class DhtNode
{
    /// <summary>Questionable nodes pinged per round.</summary>
    private const int PingsPerRound = 8;

    /// <summary>Quiet buckets refreshed per round.</summary>
    private const int RefreshesPerRound = 2;

    /// <summary>
    /// Pings questionable nodes (a failure makes them bad, and a replacement takes their place), refreshes buckets quiet
    /// for 15 minutes with a <c>find_node</c> of a random id inside them (BEP 5), looks up our own id again through the
    /// routers while fewer than k good nodes are known, expires stored peers and forgets addresses the rate limiter no
    /// longer needs.
    /// </summary>
    private void Maintain()
    {
        if (IsClosed)
        {
            return;
        }

        List<RoutingNode> questionable;
        List<NodeId> refresh;
        bool rebootstrap;
        lock (_gate)
        {
            questionable = _table.TakeQuestionable(PingsPerRound);
            refresh = _table.NodeCount > 0 ? _table.TakeStaleBuckets(RoutingTable.Freshness, RefreshesPerRound) : [];
            rebootstrap = _table.GoodCount < RoutingTable.BucketSize && _routerContacts.Count > 0;
            _peers.Expire();
            _limiter.Sweep();
        }

        if (rebootstrap)
        {
            // A lookup of our own id starts from the routers while the table is thin.
            RunInBackground(ct => LookupAsync(Id, null, [], null, ct));
        }

        foreach (var node in questionable)
        {
            RunInBackground(ct => PingQuestionableAsync(node, ct));
        }

        foreach (var target in refresh)
        {
            _logger.LogTrace("DHT: refreshing the bucket of {Target}", target);
            RunInBackground(ct => LookupAsync(target, null, [], null, ct));
        }
    }
}
