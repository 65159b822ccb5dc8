namespace TorrentPS.Engine.Dht;

/// <summary>
/// How a <see cref="DhtNode"/> bootstraps, looks up and bounds what others may cost it. The defaults suit the public
/// DHT; tests set <see cref="BootstrapNodes"/> to loopback nodes (or none) and <see cref="ForbidDefaultRouters"/>.
/// </summary>
internal sealed record DhtOptions
{
    /// <summary>The well-known public routers, used when <see cref="BootstrapNodes"/> is null.</summary>
    public static IReadOnlyList<string> DefaultBootstrapNodes { get; } =
    [
        "router.bittorrent.com:6881",
        "dht.transmissionbt.com:6881",
        "router.utorrent.com:6881",
    ];

    public static DhtOptions Default { get; } = new();

    /// <summary>
    /// Routers to bootstrap from when the saved nodes are not enough, as <c>host:port</c> or <c>ip:port</c>: null for
    /// <see cref="DefaultBootstrapNodes"/>, empty for none. Routers are asked for nodes but not kept in the routing table.
    /// </summary>
    public IReadOnlyList<string>? BootstrapNodes { get; init; }

    /// <summary>
    /// Makes resolving any of <see cref="DefaultBootstrapNodes"/> throw a <see cref="DhtException"/>
    /// (<c>DhtDefaultRouterForbidden</c>) instead of reaching the internet: every test sets it.
    /// </summary>
    public bool ForbidDefaultRouters { get; init; }

    /// <summary>Our node id (the saved one, so the neighbourhood we built is ours again); null for a random one.</summary>
    public NodeId? NodeId { get; init; }

    /// <summary>Queries a lookup keeps in flight at once (BEP 5's alpha): 1 to 16.</summary>
    public int Alpha { get; init; } = 4;

    /// <summary>How long a query waits for its answer.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>After this long without an answer a query stops holding one of the lookup's alpha slots (it may still answer).</summary>
    public TimeSpan SlowQueryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The most one lookup may take; it then ends with what it found.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most nodes one lookup queries, however many closer nodes the answers keep naming.</summary>
    public int MaxNodesQueriedPerLookup { get; init; } = 100;

    /// <summary>The most distinct peers one lookup passes on.</summary>
    public int MaxPeersPerLookup { get; init; } = 2000;

    /// <summary>Peers stored per announced torrent (a full torrent replaces its oldest).</summary>
    public int MaxPeersPerTorrent { get; init; } = 200;

    /// <summary>Torrents we store announced peers for.</summary>
    public int MaxTorrents { get; init; } = 2000;

    /// <summary>Announced peers stored, all torrents together.</summary>
    public int MaxStoredPeers { get; init; } = 20_000;

    /// <summary>How long an announced peer is kept after its last announce (BEP 5 suggests 30 minutes).</summary>
    public TimeSpan PeerLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the token secret changes; a token is accepted for up to twice this.</summary>
    public TimeSpan TokenRotation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Peers in one <c>get_peers</c> answer (100 keep it within one Ethernet frame).</summary>
    public int MaxValuesPerAnswer { get; init; } = 100;

    /// <summary>Queries one address may send in a burst before the steady rate applies.</summary>
    public int QueryBurstPerAddress { get; init; } = 20;

    /// <summary>Queries per second one address may send, steadily.</summary>
    public double QueriesPerSecondPerAddress { get; init; } = 5;

    /// <summary>Queries per second answered from all addresses together.</summary>
    public double QueriesPerSecond { get; init; } = 500;

    /// <summary>Addresses the rate limiter remembers at once.</summary>
    public int MaxTrackedAddresses { get; init; } = 10_000;

    /// <summary>Our queries outstanding at once.</summary>
    public int MaxOutstandingQueries { get; init; } = 512;

    /// <summary>How often the node pings questionable nodes, refreshes quiet buckets and expires stored peers.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <exception cref="ArgumentOutOfRangeException">A value out of its range.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Alpha, 1, nameof(Alpha));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Alpha, 16, nameof(Alpha));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueryTimeout, TimeSpan.Zero, nameof(QueryTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SlowQueryAfter, TimeSpan.Zero, nameof(SlowQueryAfter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LookupTimeout, TimeSpan.Zero, nameof(LookupTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodesQueriedPerLookup, 1, nameof(MaxNodesQueriedPerLookup));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPeersPerLookup, 1, nameof(MaxPeersPerLookup));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPeersPerTorrent, 1, nameof(MaxPeersPerTorrent));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTorrents, 1, nameof(MaxTorrents));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStoredPeers, 1, nameof(MaxStoredPeers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PeerLifetime, TimeSpan.Zero, nameof(PeerLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TokenRotation, TimeSpan.Zero, nameof(TokenRotation));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValuesPerAnswer, 1, nameof(MaxValuesPerAnswer));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueryBurstPerAddress, 1, nameof(QueryBurstPerAddress));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueriesPerSecondPerAddress, 0, nameof(QueriesPerSecondPerAddress));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueriesPerSecond, 0, nameof(QueriesPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrackedAddresses, 1, nameof(MaxTrackedAddresses));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutstandingQueries, 1, nameof(MaxOutstandingQueries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaintenanceInterval, TimeSpan.Zero, nameof(MaintenanceInterval));
    }

    /// <summary>True when <paramref name="hostPort"/> names one of the <see cref="DefaultBootstrapNodes"/> hosts (any port).</summary>
    public static bool IsDefaultRouter(string hostPort)
    {
        var text = hostPort.Trim();
        var colon = text.LastIndexOf(':');
        var host = (colon > 0 ? text[..colon] : text).TrimEnd('.');
        foreach (var router in DefaultBootstrapNodes)
        {
            if (string.Equals(host, router[..router.LastIndexOf(':')], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
