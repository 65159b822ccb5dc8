using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Dht;

/// <summary>The node's upkeep, once per <see cref="DhtOptions.MaintenanceInterval"/> on its clock.</summary>
public sealed partial class DhtNode
{
    /// <summary>Questionable nodes pinged per round.</summary>
    private const int PingsPerRound = 8;

    /// <summary>Quiet buckets refreshed per round.</summary>
    private const int RefreshesPerRound = 2;

    /// <summary>
    /// Pings questionable nodes (a failure makes them bad, and a replacement takes their place), refreshes buckets quiet
    /// for 15 minutes with a <c>find_node</c> of a random id inside them (BEP 5), expires stored peers and forgets
    /// addresses the rate limiter no longer needs.
    /// </summary>
    private void Maintain()
    {
        if (IsClosed)
        {
            return;
        }

        List<RoutingNode> questionable;
        List<NodeId> refresh;
        lock (_gate)
        {
            questionable = _table.TakeQuestionable(PingsPerRound);
            refresh = _table.NodeCount > 0 ? _table.TakeStaleBuckets(RoutingTable.Freshness, RefreshesPerRound) : [];
            _peers.Expire();
            _limiter.Sweep();
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
