using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Dht;

/// <summary>What the node does for its session: bootstrap, peers for a torrent, announces.</summary>
internal sealed partial class DhtNode
{
    /// <summary>Saved nodes and torrent nodes read at once; a state file or torrent cannot make us contact more.</summary>
    private const int MaxSeedNodes = 256;

    /// <summary>Far buckets a bootstrap fills with lookups of their own.</summary>
    private const int FarBucketsFilled = 3;

    /// <summary>
    /// Joins the DHT: a <c>find_node</c> lookup of our own id from (1) <paramref name="savedNodes"/>, then, while fewer than
    /// k good nodes are known, (2) from the configured routers (<see cref="DhtOptions.BootstrapNodes"/>, resolved now; the
    /// public defaults when none are set). Routers that answer stay out of the routing table (they are not nodes to
    /// store peers at), but lookups start from them while the table is thin, and maintenance bootstraps again through
    /// them while it is. Then lookups of random ids in the three farthest buckets fill those. Lookups started meanwhile
    /// wait for it. Nodes a torrent names come later through <see cref="AddNodesAsync"/>.
    /// </summary>
    /// <returns>The nodes in the routing table afterwards.</returns>
    /// <exception cref="DhtException"><c>DhtDefaultRouterForbidden</c>: a default router would be resolved while <see cref="DhtOptions.ForbidDefaultRouters"/> is set.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<int> BootstrapAsync(IEnumerable<DhtSavedNode>? savedNodes = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var saved = new List<DhtContact>();
        foreach (var node in savedNodes ?? [])
        {
            if (saved.Count < MaxSeedNodes && node is not null && node.TryGetContact(out var contact))
            {
                saved.Add(contact);
            }
        }

        var bootstrap = RunBootstrapAsync(saved, cancellationToken);
        Volatile.Write(ref _bootstrap, bootstrap.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        return bootstrap;
    }

    /// <summary>
    /// Pings nodes a torrent names (its <c>nodes</c> key: <c>host:port</c> or <c>ip:port</c>); those that answer join the
    /// routing table, and when it still holds fewer than k good nodes a lookup of our own id runs through them.
    /// </summary>
    /// <returns>How many answered.</returns>
    /// <exception cref="DhtException"><c>DhtDefaultRouterForbidden</c>: one is a default router while <see cref="DhtOptions.ForbidDefaultRouters"/> is set.</exception>
    public async Task<int> AddNodesAsync(IEnumerable<string> nodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        using var stop = Link(cancellationToken);
        var endPoints = await ResolveAsync(nodes.Take(MaxSeedNodes), stop.Token).ConfigureAwait(false);
        var answers = await Task.WhenAll(endPoints.Select(e => QueryAsync(e, KrpcQuery.Ping([0], Id), stop.Token))).ConfigureAwait(false);
        var answered = answers.Count(a => a is KrpcResponse);
        if (answered > 0 && GoodNodeCount < RoutingTable.BucketSize)
        {
            await LookupAsync(Id, null, [], null, stop.Token).ConfigureAwait(false);
        }

        return answered;
    }

    /// <summary>
    /// Looks up peers of <paramref name="infoHash"/>: a <c>get_peers</c> lookup from the closest nodes we know, yielding
    /// each answer's new peers (distinct over the lookup) as it comes, until the lookup converges or reaches its bounds.
    /// Waits for a bootstrap in progress first. Stopping the enumeration early stops the lookup. The loop body runs on the
    /// thread that received the answer (no hop per batch): hand the peers on (post them to a channel) and return.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<TorrentPeer>> GetPeersAsync(InfoHash infoHash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        using var stop = Link(cancellationToken);
        var found = Channel.CreateUnbounded<IReadOnlyList<TorrentPeer>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
        var lookup = RunAsync();
        try
        {
            await foreach (var peers in found.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                yield return peers;
            }

            await lookup.ConfigureAwait(false);
        }
        finally
        {
            stop.Cancel();
            await lookup.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }

        async Task RunAsync()
        {
            try
            {
                await LookupAsync(NodeId.FromInfoHash(infoHash), infoHash, [], peers => found.Writer.TryWrite(ToPeers(peers, infoHash)), stop.Token).ConfigureAwait(false);
                found.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                found.Writer.TryComplete(ex);
                throw;
            }
        }
    }

    /// <summary>
    /// Looks up peers of <paramref name="infoHash"/> as <see cref="GetPeersAsync"/> does, handing each answer's new peers
    /// to <paramref name="onPeers"/> from the thread that received them (post them on, do not block); returns how many
    /// distinct peers the lookup found.
    /// </summary>
    public async Task<int> LookupPeersAsync(InfoHash infoHash, Action<IReadOnlyList<TorrentPeer>> onPeers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        ArgumentNullException.ThrowIfNull(onPeers);
        using var stop = Link(cancellationToken);
        var found = 0;
        await LookupAsync(NodeId.FromInfoHash(infoHash), infoHash, [], peers =>
        {
            var batch = ToPeers(peers, infoHash);
            Interlocked.Add(ref found, batch.Length);
            onPeers(batch);
        }, stop.Token).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// Announces that we have peers of <paramref name="infoHash"/> on <paramref name="port"/>: a <c>get_peers</c> lookup
    /// (its peers go to <paramref name="onPeers"/> as they come, from the thread that received them: post them on, do
    /// not block), then <c>announce_peer</c> with their tokens to the k closest nodes that answered. With
    /// <paramref name="impliedPort"/> the nodes take our UDP source port instead (BEP 5's <c>implied_port</c>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DhtAnnounceResult> AnnounceAsync(InfoHash infoHash, int port, bool impliedPort = false, Action<IReadOnlyList<TorrentPeer>>? onPeers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        if (!impliedPort)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        }

        using var stop = Link(cancellationToken);
        var target = NodeId.FromInfoHash(infoHash);
        var lookup = await LookupAsync(target, infoHash, [], onPeers is null ? null : peers => onPeers(ToPeers(peers, infoHash)), stop.Token).ConfigureAwait(false);
        var announces = new List<Task<KrpcMessage?>>();
        foreach (var responder in lookup.Closest)
        {
            if (responder.Token is { } token)
            {
                announces.Add(QueryAsync(responder.Node.EndPoint, KrpcQuery.AnnouncePeer([0], Id, infoHash, impliedPort ? Math.Max(port, 1) : port, token, impliedPort), stop.Token));
            }
        }

        var answers = await Task.WhenAll(announces).ConfigureAwait(false);
        var accepted = answers.Count(a => a is KrpcResponse);
        if (accepted > 0)
        {
            lock (_gate)
            {
                _announced.Add(target);
            }
        }

        _logger.LogDebug("DHT: announced {InfoHash} to {Accepted} of {Tried} nodes ({Peers} peers found, {Queried} nodes queried)", infoHash, accepted, announces.Count, lookup.PeersFound, lookup.Queried);
        return new DhtAnnounceResult(accepted, lookup.PeersFound, lookup.Queried);
    }

    private int GoodNodeCount
    {
        get
        {
            lock (_gate)
            {
                return _table.GoodCount;
            }
        }
    }

    private async Task<int> RunBootstrapAsync(List<DhtContact> saved, CancellationToken cancellationToken)
    {
        using var stop = Link(cancellationToken);
        var clock = Stopwatch.StartNew();
        if (saved.Count > 0)
        {
            await LookupAsync(Id, null, saved, null, stop.Token, waitForBootstrap: false).ConfigureAwait(false);
        }

        if (GoodNodeCount < RoutingTable.BucketSize)
        {
            var routers = await ResolveAsync(_options.BootstrapNodes ?? DhtOptions.DefaultBootstrapNodes, stop.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _routers.UnionWith(routers);
            }

            // Routers do not say who they are until they answer: ask each for the nodes near us, then look up from those.
            var answers = await Task.WhenAll(routers.Select(r => QueryAsync(r, KrpcQuery.FindNode([0], Id, Id), stop.Token))).ConfigureAwait(false);
            var seeds = new List<DhtContact>();
            for (var i = 0; i < routers.Count; i++)
            {
                if (answers[i] is KrpcResponse response)
                {
                    var router = new DhtContact(response.SenderId, routers[i]);
                    lock (_gate)
                    {
                        _routerContacts.RemoveAll(r => r.EndPoint.Equals(router.EndPoint));
                        _routerContacts.Add(router);
                    }

                    seeds.Add(router);
                    seeds.AddRange(response.Nodes);
                }
            }

            if (seeds.Count > 0)
            {
                await LookupAsync(Id, null, seeds, null, stop.Token, waitForBootstrap: false).ConfigureAwait(false);
            }
        }

        await FillFarBucketsAsync(stop.Token).ConfigureAwait(false);
        var status = Status;
        _logger.LogDebug("DHT: bootstrapped in {Elapsed} ms: {Nodes} nodes ({Good} good) in {Buckets} buckets", clock.ElapsedMilliseconds, status.Nodes, status.GoodNodes, status.Buckets);
        return status.Nodes;
    }

    /// <summary>
    /// A lookup of our own id fills the buckets near us; these fill the far ones (ids differing from ours in the first,
    /// second or third bit: seven eighths of all nodes), so the table can answer others and start any lookup well.
    /// </summary>
    private async Task FillFarBucketsAsync(CancellationToken cancellationToken)
    {
        if (GoodNodeCount == 0)
        {
            return;
        }

        var lookups = new List<Task>();
        for (var prefix = 0; prefix < FarBucketsFilled; prefix++)
        {
            lookups.Add(LookupAsync(Id.RandomWithPrefix(prefix), null, [], null, cancellationToken, waitForBootstrap: false));
        }

        await Task.WhenAll(lookups).ConfigureAwait(false);
    }

    /// <summary>One lookup from the closest nodes we know plus <paramref name="seeds"/>.</summary>
    private async Task<DhtLookupResult> LookupAsync(NodeId target, InfoHash? infoHash, IReadOnlyList<DhtContact> seeds, Action<IReadOnlyList<IPEndPoint>>? onPeers, CancellationToken cancellationToken, bool waitForBootstrap = true)
    {
        if (waitForBootstrap)
        {
            await Volatile.Read(ref _bootstrap).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        List<DhtContact> start;
        lock (_gate)
        {
            start = _table.Closest(target, 2 * RoutingTable.BucketSize);
            if (start.Count < RoutingTable.BucketSize)
            {
                // A thin table (a young DHT, or one that lost its nodes) starts from the routers too.
                start.AddRange(_routerContacts);
            }
        }

        start.AddRange(seeds);
        var limits = new DhtLookupLimits(_options.Alpha, RoutingTable.BucketSize, _options.SlowQueryAfter, _options.LookupTimeout, _options.MaxNodesQueriedPerLookup, _options.MaxPeersPerLookup);
        var lookup = new DhtLookup(Id, LocalEndPoint, target, infoHash, limits, _time, QueryAsync);
        var clock = Stopwatch.StartNew();
        var result = await lookup.RunAsync(start, onPeers, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug(
            "DHT: {Kind} {Target} from {Start} nodes: {Queried} queried, {Responded} answered, {Peers} peers, {Elapsed} ms{Deadline}",
            infoHash is null ? "find_node" : "get_peers",
            target,
            start.Count,
            result.Queried,
            result.Responded,
            result.PeersFound,
            clock.ElapsedMilliseconds,
            result.TimedOut ? " (deadline)" : string.Empty);
        return result;
    }

    /// <summary>Resolves <c>host:port</c> entries; an entry that does not parse or resolve is logged and skipped.</summary>
    private async Task<List<IPEndPoint>> ResolveAsync(IEnumerable<string> entries, CancellationToken cancellationToken)
    {
        var endPoints = new List<IPEndPoint>();
        foreach (var entry in entries)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                continue;
            }

            if (_options.ForbidDefaultRouters && DhtOptions.IsDefaultRouter(entry))
            {
                throw new DhtException(
                    "DhtDefaultRouterForbidden",
                    TorrentErrorKind.InvalidArgument,
                    $"The DHT was about to resolve the public router '{entry}', which these options forbid (ForbidDefaultRouters): pass the bootstrap nodes to use, or none.");
            }

            try
            {
                var endPoint = await PeerEndPoint.ResolveAsync(entry, cancellationToken).ConfigureAwait(false);
                if (endPoint.AddressFamily == LocalEndPoint.AddressFamily && !endPoints.Contains(endPoint))
                {
                    endPoints.Add(endPoint);
                }
            }
            catch (FormatException ex)
            {
                _logger.LogWarning("DHT: bootstrap node '{Entry}' skipped: {Reason}", Text.DisplayText.Escape(entry), ex.Message);
            }
        }

        return endPoints;
    }

    private static TorrentPeer[] ToPeers(IReadOnlyList<IPEndPoint> endPoints, InfoHash infoHash)
    {
        var peers = new TorrentPeer[endPoints.Count];
        for (var i = 0; i < peers.Length; i++)
        {
            peers[i] = new TorrentPeer(endPoints[i].Address, endPoints[i].Port, infoHash, PeerSource.Dht);
        }

        return peers;
    }
}
