using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A BEP 5 DHT node: one UDP socket, a routing table, the peers others announce to us, and lookups for our torrents.
/// It answers every valid query (<c>ping</c>, <c>find_node</c>, <c>get_peers</c> with peers and nodes and a token,
/// <c>announce_peer</c> with a token check) within a per-address and a global rate limit, ignores answers it did not
/// ask for, and keeps what others can make it store bounded. A session starts one on its listen port
/// (<see cref="Start(IPEndPoint, DhtOptions?, ILogger{DhtNode}?, TimeProvider?)"/>), bootstraps it
/// (<see cref="BootstrapAsync"/>), asks it for peers (<see cref="GetPeersAsync"/>) and announces through it
/// (<see cref="AnnounceAsync"/>); <see cref="GetNodes"/> is what it saves on stop.
/// <para>
/// Threads: datagrams are handled on the socket's receive loop; lookups run as async flows resumed by the answers they
/// wait for; a timer does maintenance. The shared state (routing table, tokens, stored peers, rate limits, outstanding
/// queries, counters) is guarded by one lock held only for short, non-blocking work; nothing is sent, awaited or
/// completed while holding it.
/// </para>
/// </summary>
internal sealed partial class DhtNode : IAsyncDisposable
{
    /// <summary>Unknown queriers pinged at once to see whether they belong in the table.</summary>
    private const int MaxVerifications = 32;

    private readonly object _gate = new();
    private readonly IDhtTransport _transport;
    private readonly DhtOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RoutingTable _table;
    private readonly TokenStore _tokens;
    private readonly PeerStore _peers;
    private readonly QueryRateLimiter _limiter;
    private readonly TransactionTable _transactions;
    private readonly HashSet<NodeId> _announced = [];
    private readonly HashSet<IPAddress> _verifying = [];
    private readonly HashSet<IPEndPoint> _routers = [];
    private readonly List<DhtContact> _routerContacts = [];
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly byte[] _version;
    private readonly ITimer _maintenance;
    private Task _receiving = Task.CompletedTask;
    private Task _bootstrap = Task.CompletedTask;
    private long _queriesReceived;
    private long _queriesSent;
    private long _responsesReceived;
    private long _timeouts;
    private long _dropped;
    private int _disposed;

    private DhtNode(IDhtTransport transport, DhtOptions options, ILogger? logger, TimeProvider? time)
    {
        _transport = transport;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Id = options.NodeId ?? NodeId.Random();
        LocalEndPoint = transport.LocalEndPoint;
        _table = new RoutingTable(Id, _time, LocalEndPoint.AddressFamily) { OwnEndPoint = LocalEndPoint };
        _tokens = new TokenStore(_time, options.TokenRotation);
        _peers = new PeerStore(_time, options.MaxPeersPerTorrent, options.MaxTorrents, options.MaxStoredPeers, options.PeerLifetime);
        _limiter = new QueryRateLimiter(_time, options.QueryBurstPerAddress, options.QueriesPerSecondPerAddress, options.MaxTrackedAddresses, options.QueriesPerSecond);
        _transactions = new TransactionTable(options.MaxOutstandingQueries);
        var version = typeof(DhtNode).Assembly.GetName().Version;
        _version = [(byte)'T', (byte)'P', (byte)(version?.Major ?? 0), (byte)(version?.Minor ?? 0)];
        _maintenance = _time.CreateTimer(static state => ((DhtNode)state!).Maintain(), this, options.MaintenanceInterval, options.MaintenanceInterval);
    }

    /// <summary>Our node id.</summary>
    public NodeId Id { get; }

    /// <summary>The UDP end point the node is bound to (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Binds a UDP socket to <paramref name="bind"/> (port 0 for any; a session passes its TCP listen port) and starts
    /// answering queries. Nothing is sent until <see cref="BootstrapAsync"/> or a lookup.
    /// </summary>
    /// <exception cref="DhtException"><c>DhtPortUnavailable</c>: the end point cannot be bound.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public static DhtNode Start(IPEndPoint bind, DhtOptions? options = null, ILogger<DhtNode>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        options ??= DhtOptions.Default;
        options.Validate();
        UdpDhtTransport transport;
        try
        {
            transport = UdpDhtTransport.Bind(bind, (ILogger?)logger ?? NullLogger.Instance);
        }
        catch (SocketException ex)
        {
            throw new DhtException("DhtPortUnavailable", TorrentErrorKind.ResourceUnavailable, $"The DHT cannot listen on UDP {bind}: {ex.Message}", ex);
        }

        return Start(transport, options, logger, time);
    }

    /// <summary>Starts a node on <paramref name="boundUdp"/>, a UDP socket already bound (the session's, on its listen port's number); the node owns it from now on.</summary>
    internal static DhtNode Start(System.Net.Sockets.Socket boundUdp, DhtOptions? options, ILogger? logger, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(boundUdp);
        return Start(UdpDhtTransport.Over(boundUdp, logger ?? NullLogger.Instance), options, logger, time);
    }

    /// <summary>Starts a node on any transport (tests pass a simulated network).</summary>
    internal static DhtNode Start(IDhtTransport transport, DhtOptions? options, ILogger? logger, TimeProvider? time)
    {
        options ??= DhtOptions.Default;
        options.Validate();
        var node = new DhtNode(transport, options, logger, time);
        node._receiving = transport.Start(node.OnDatagram);
        node._logger.LogDebug("DHT: node {Id} listening on UDP {EndPoint}", node.Id, node.LocalEndPoint);
        return node;
    }

    /// <summary>A snapshot of the node's state and counters.</summary>
    public DhtStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new DhtStatus(
                    Id.Hex,
                    LocalEndPoint.ToString(),
                    _table.NodeCount,
                    _table.GoodCount,
                    _table.BucketCount,
                    _table.ReplacementCount,
                    _peers.TorrentCount,
                    _peers.PeerCount,
                    _announced.Count,
                    _queriesReceived,
                    _queriesSent,
                    _responsesReceived,
                    _timeouts,
                    _dropped);
            }
        }
    }

    /// <summary>The routing table's buckets, as they stand now.</summary>
    public IReadOnlyList<DhtBucketInfo> Buckets
    {
        get
        {
            lock (_gate)
            {
                return _table.BucketSnapshot();
            }
        }
    }

    /// <summary>The nodes in the routing table's buckets, as they stand now.</summary>
    public IReadOnlyList<DhtNodeInfo> Nodes
    {
        get
        {
            lock (_gate)
            {
                return _table.NodeSnapshot();
            }
        }
    }

    /// <summary>Addresses the rate limiter tracks now (bounded by <see cref="DhtOptions.MaxTrackedAddresses"/>).</summary>
    internal int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _limiter.TrackedAddresses;
            }
        }
    }

    /// <summary>Our queries waiting for an answer now.</summary>
    internal int OutstandingQueries
    {
        get
        {
            lock (_gate)
            {
                return _transactions.Count;
            }
        }
    }

    /// <summary>The nodes worth saving for the next run (every node in a bucket that is not bad), in the small serialisable form.</summary>
    public IReadOnlyList<DhtSavedNode> GetNodes()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var nodes = new List<DhtSavedNode>();
            foreach (var (_, node) in _table.Nodes())
            {
                if (node.StateAt(now, RoutingTable.Freshness) != DhtNodeState.Bad)
                {
                    nodes.Add(DhtSavedNode.From(node.Id, node.EndPoint));
                }
            }

            return nodes;
        }
    }

    /// <summary>Closes the socket, ends the receive loop, abandons every outstanding query and waits for the node's own work to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _closing.Cancel();
        await _maintenance.DisposeAsync().ConfigureAwait(false);
        _transport.Dispose();
        List<PendingQuery> pending;
        lock (_gate)
        {
            pending = _transactions.TakeAll();
        }

        foreach (var query in pending)
        {
            query.Completion.TrySetResult(null);
        }

        try
        {
            await _receiving.ConfigureAwait(false);
            await Task.WhenAll(_background.Keys).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Closing: work that was cut short ends so.
        }

        _logger.LogDebug("DHT: node {Id} closed", Id);
    }

    private bool IsClosed => Volatile.Read(ref _disposed) != 0;

    /// <summary>A token that is cancelled when either <paramref name="cancellationToken"/> is or the node closes.</summary>
    private CancellationTokenSource Link(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        return CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
    }

    /// <summary>Runs work the node owns (pings, refreshes) in the background: its faults are logged, and disposal waits for it.</summary>
    private void RunInBackground(Func<CancellationToken, Task> work)
    {
        if (IsClosed)
        {
            return;
        }

        var task = RunLoggedAsync(work);
        _background[task] = 0;
        if (task.IsCompleted)
        {
            _background.TryRemove(task, out _);
        }
        else
        {
            task.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _background, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunLoggedAsync(Func<CancellationToken, Task> work)
    {
        try
        {
            await work(_closing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && IsClosed)
        {
            // The node closed under it.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning(ex, "DHT: background work failed");
        }
    }
}
