using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Process-wide client state shared by every torrent started from any runspace: the tracker key, the one listen port
/// (incoming peers routed by info hash), the connection and rate limits, the one clock that ticks every run, and the
/// torrents it holds (<see cref="Torrents"/>: running, paused, stopped, completed or failed, until removed), with their
/// saved state when it has a state folder. Each run gets a peer id of its own. The engine never reads
/// <see cref="Shared"/>: the module and the CLI pass a session in.
/// </summary>
public sealed partial class TorrentSession : IAsyncDisposable
{
    private static readonly Lazy<IReadOnlyList<IPAddress>> OwnAddresses = new(TrackerDiscoveryOptions.LocalAddresses);

    private readonly ConcurrentDictionary<InfoHash, TorrentRun> _runs = new();
    private readonly Dictionary<InfoHash, Torrent> _torrents = new();
    private readonly object _gate = new();
    private readonly object _listenLock = new();
    private readonly TimeProvider _time;
    private readonly SessionTicker _ticker;
    private ListenBinding? _binding;
    private SessionDiscovery? _discovery;
    private ListenSettings _listen;
    private int _listenPort;
    private int _maxConnectionsPerTorrent = 50;

    public TorrentSession(PeerId? peerId = null, TimeProvider? time = null, ListenSettings? listen = null)
    {
        PeerId = peerId ?? PeerId.Generate();
        TrackerKey = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _time = time ?? TimeProvider.System;
        _ticker = new SessionTicker(_time);
        _listen = listen ?? ListenSettings.Default;
    }

    /// <summary>The connection bound and rate limits every torrent of the session shares.</summary>
    public SessionLimits Limits { get; } = new();

    /// <summary>The one session of this process (the module's and the CLI's).</summary>
    public static TorrentSession Shared { get; } = new();

    /// <summary>The session's peer id, for one-off conversations (a torrent uses one of its own).</summary>
    public PeerId PeerId { get; }

    /// <summary>The random <c>key</c> sent to trackers so they can recognise us across IP changes.</summary>
    public uint TrackerKey { get; }

    /// <summary>The TCP port peers can reach us on, announced to trackers; 0 until the session listens.</summary>
    public int ListenPort => Volatile.Read(ref _listenPort);

    /// <summary>The end point bound for peers (TCP; the same port is free for UDP); null until the session listens.</summary>
    public IPEndPoint? ListenEndPoint
    {
        get
        {
            lock (_listenLock)
            {
                return _binding?.EndPoint;
            }
        }
    }

    /// <summary>Where the session listens, or will when its first torrent starts.</summary>
    public ListenSettings ListenSettings
    {
        get
        {
            lock (_listenLock)
            {
                return _listen;
            }
        }
    }

    /// <summary>Connections one torrent keeps at most (the default for torrents started from now on).</summary>
    public int MaxConnectionsPerTorrent
    {
        get => Volatile.Read(ref _maxConnectionsPerTorrent);
        set => Volatile.Write(ref _maxConnectionsPerTorrent, Math.Max(1, value));
    }

    /// <summary>Every torrent the session holds, in the order they were added.</summary>
    public IReadOnlyList<Torrent> Torrents
    {
        get
        {
            lock (_gate)
            {
                return _torrents.Values.OrderBy(t => t.AddedAt).ToArray();
            }
        }
    }

    /// <summary>Runs going on now (the session's clock ticks each).</summary>
    public int RunningCount => _runs.Count;

    /// <summary>The torrent with this info hash, if the session holds it.</summary>
    public Torrent? Find(InfoHash infoHash)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        lock (_gate)
        {
            return _torrents.GetValueOrDefault(infoHash);
        }
    }

    /// <summary>
    /// Listens for peers, if the session does not yet (later calls return the bound end point: one port serves every
    /// torrent). <paramref name="settings"/> replaces the session's setting for this first bind.
    /// </summary>
    /// <exception cref="TorrentPSException"><c>ListenFailed</c>: no port could be bound.</exception>
    public IPEndPoint Listen(ListenSettings? settings = null, ILoggerFactory? loggers = null)
    {
        lock (_listenLock)
        {
            if (_binding is not null)
            {
                return _binding.EndPoint;
            }

            var asked = settings ?? _listen;
            _binding = ListenBinding.Bind(asked, endPoint => StartListener(endPoint, loggers));
            Volatile.Write(ref _listenPort, _binding.EndPoint.Port);
            StartDiscoveryLocked(loggers);
            return _binding.EndPoint;
        }
    }

    /// <summary>Listens on <paramref name="address"/> and <paramref name="port"/> (0: any free port); see <see cref="Listen(ListenSettings?, ILoggerFactory?)"/>.</summary>
    public IPEndPoint Listen(IPAddress? address, int port, ILoggerFactory? loggers = null)
        => Listen(new ListenSettings { Address = address ?? IPAddress.Any, Port = port }, loggers);

    /// <summary>
    /// Changes where the session listens. Listening already, it binds the new end point at once (the old one closes);
    /// that needs no torrent to be running, since each announces the port it started with.
    /// </summary>
    /// <exception cref="TorrentPSException"><c>TorrentsRunning</c>: a torrent runs; <c>ListenFailed</c>: the new end point cannot be bound (the old one stays).</exception>
    public async Task<IPEndPoint?> ChangeListenAsync(ListenSettings settings, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ListenBinding? old;
        SessionDiscovery? oldDiscovery;
        lock (_listenLock)
        {
            if (_binding is null)
            {
                _listen = settings;
                return null;
            }

            if (!_runs.IsEmpty)
            {
                throw new TorrentPSException(
                    "TorrentsRunning",
                    TorrentErrorKind.ResourceUnavailable,
                    $"{Units(_runs.Count)} running announce port {_binding.EndPoint.Port}: suspend or stop them before the session listens elsewhere.");
            }

            var bound = ListenBinding.Bind(settings, endPoint => StartListener(endPoint, loggers));
            old = _binding;
            oldDiscovery = _discovery;
            _discovery = null;
            _binding = bound;
            _listen = settings;
            Volatile.Write(ref _listenPort, bound.EndPoint.Port);
        }

        if (oldDiscovery is not null)
        {
            await oldDiscovery.DisposeAsync().ConfigureAwait(false);
        }

        await old.DisposeAsync().ConfigureAwait(false);
        lock (_listenLock)
        {
            StartDiscoveryLocked(loggers);
        }

        return ListenEndPoint;
    }

    /// <summary>The DHT's state now; null when the session runs no DHT node (not listening yet, or turned off).</summary>
    public Dht.DhtStatus? DhtStatus => Volatile.Read(ref _discovery)?.Dht?.Status;

    /// <summary>The DHT's routing table now (empty when it runs no DHT node).</summary>
    public IReadOnlyList<Dht.DhtNodeInfo> DhtNodes => Volatile.Read(ref _discovery)?.Dht?.Nodes ?? [];

    /// <summary>
    /// Asks the DHT for peers of <paramref name="infoHash"/> (one <c>get_peers</c> lookup, bounded in time), listening
    /// first if the session does not yet; empty when the session runs no DHT node.
    /// </summary>
    public async Task<IReadOnlyList<TorrentPeer>> LookupDhtPeersAsync(InfoHash infoHash, CancellationToken cancellationToken = default)
    {
        var found = new List<TorrentPeer>();
        await LookupDhtPeersAsync(infoHash, peers =>
        {
            lock (found)
            {
                found.AddRange(peers);
            }
        }, cancellationToken).ConfigureAwait(false);
        lock (found)
        {
            return found.ToArray();
        }
    }

    /// <summary>
    /// Like <see cref="LookupDhtPeersAsync(InfoHash, CancellationToken)"/>, handing each batch of peers to
    /// <paramref name="onPeers"/> as it comes (from the DHT's receive thread: post them on, do not block); returns how
    /// many it found.
    /// </summary>
    public async Task<int> LookupDhtPeersAsync(InfoHash infoHash, Action<IReadOnlyList<TorrentPeer>> onPeers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onPeers);
        Listen();
        if (Discovery?.Dht is not { } dht)
        {
            return 0;
        }

        return await dht.LookupPeersAsync(infoHash, peers =>
        {
            var batch = new TorrentPeer[peers.Count];
            for (var i = 0; i < peers.Count; i++)
            {
                batch[i] = new TorrentPeer(peers[i].IPAddress, peers[i].Port, infoHash, PeerSource.Dht);
            }

            onPeers(batch);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Listens (the DHT starts with the listener), then says whether the DHT has anywhere to look (routers, saved nodes, or nodes in its table); false when it runs none.</summary>
    public bool CanSearchDht()
    {
        Listen();
        return Discovery?.DhtCanSearch == true;
    }

    /// <summary>Whether local service discovery runs.</summary>
    public bool LocalDiscoveryRunning => Volatile.Read(ref _discovery)?.Local is not null;

    /// <summary>The session's discovery (DHT, local discovery) for the runs it starts; null before it listens.</summary>
    internal SessionDiscovery? Discovery => Volatile.Read(ref _discovery);

    /// <summary>Starts the DHT and local discovery on the listen port, per the settings (under the listen lock, listening).</summary>
    private void StartDiscoveryLocked(ILoggerFactory? loggers)
    {
        if (_binding is null || _discovery is not null)
        {
            return;
        }

        var udp = _binding.TakeUdpSocket() ?? _binding.BindUdpAgain();
        Volatile.Write(ref _discovery, SessionDiscovery.Start(udp, _binding.EndPoint.Port, Settings, StatePath, OnLocalPeer, loggers));
    }

    /// <summary>Starts the discovery again (its settings changed): the DHT saves its nodes and starts over on the same port.</summary>
    private async Task RestartDiscoveryAsync(ILoggerFactory? loggers)
    {
        SessionDiscovery? old;
        lock (_listenLock)
        {
            old = _discovery;
            _discovery = null;
        }

        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        lock (_listenLock)
        {
            StartDiscoveryLocked(loggers);
        }
    }

    /// <summary>A peer on the local network has a torrent we run: it joins that run's roster.</summary>
    private void OnLocalPeer(LocalDiscovery.LocalPeerFound found)
    {
        if (_runs.TryGetValue(found.InfoHash, out var run))
        {
            run.AddPeers([found.EndPoint], PeerSource.Local);
        }
    }

    /// <summary>
    /// Starts a torrent as <paramref name="request"/> asks, listening first if the session does not yet. The session
    /// never runs a torrent twice:
    /// <list type="bullet">
    /// <item>held and running the same data (a download or a seed into the same place): the running torrent is returned
    /// and <paramref name="attached"/> is true (the caller waits on it);</item>
    /// <item>held and running anything else (another place, a piece or metadata fetch): <c>TorrentAlreadyRunning</c>;</item>
    /// <item>held and not running (paused, stopped, completed, failed): a new run with this request (a piece or metadata
    /// fetch runs beside it, unlisted, and leaves the held torrent as it was);</item>
    /// <item>not held: a new torrent. A magnet link whose metadata an earlier run saved in the resume data starts with
    /// it (no second fetch).</item>
    /// </list>
    /// Downloads and seeds stay in <see cref="Torrents"/> after they end; a piece or metadata fetch leaves it when it ends.
    /// </summary>
    /// <exception cref="TorrentPSException"><c>TorrentAlreadyRunning</c>; <c>ListenFailed</c>; <c>InvalidTransferRequest</c>.</exception>
    public Torrent Start(TransferRequest request, ILoggerFactory? loggers, out bool attached)
    {
        ArgumentNullException.ThrowIfNull(request);
        ListenFor(request, loggers);
        lock (_gate)
        {
            if (_torrents.TryGetValue(request.InfoHash, out var held))
            {
                if (held.IsRunning)
                {
                    if (SameData(held, request))
                    {
                        attached = true;
                        return held;
                    }

                    throw AlreadyRunning(held);
                }

                attached = false;
                if (!request.IsKept && held.Request.IsKept)
                {
                    // A piece or metadata fetch of a torrent held for keeps: a run of its own that leaves no trace in the list.
                    var fetch = new Torrent(this, request, request.Torrent is null && held.Info is null ? TorrentState.FetchingMetadata : TorrentState.Checking, _time.GetUtcNow());
                    StartRun(fetch, request with { Torrent = request.Torrent ?? held.Info }, loggers);
                    return fetch;
                }

                StartRun(held, request, loggers);
                return held;
            }

            if (_runs.TryGetValue(request.InfoHash, out var stray) && !stray.Completion.IsCompleted)
            {
                throw new TorrentPSException("TorrentAlreadyRunning", TorrentErrorKind.ResourceUnavailable, $"The torrent {request.Name} ({request.InfoHash}) is already running in this session.");
            }

            var torrent = new Torrent(this, request, request.Torrent is null ? TorrentState.FetchingMetadata : TorrentState.Checking, _time.GetUtcNow());
            StartRun(torrent, request, loggers);
            _torrents[request.InfoHash] = torrent;
            attached = false;
        }

        SaveSoon();
        return Find(request.InfoHash)!;
    }

    /// <summary>Starts a torrent; see <see cref="Start(TransferRequest, ILoggerFactory?, out bool)"/>.</summary>
    public Torrent Start(TransferRequest request, ILoggerFactory? loggers = null) => Start(request, loggers, out _);

    /// <summary>
    /// Removes a torrent from the session: stopped first if it runs (progress saved, trackers told), then forgotten (its
    /// saved state and the resume data in the state folder deleted). With <paramref name="deleteData"/> its files, the
    /// folders they leave empty and the resume data beside them are deleted too. Returns what could not be deleted.
    /// </summary>
    /// <exception cref="TorrentPSException"><c>TorrentNotFound</c>: the session does not hold it (removed already).</exception>
    public async Task<IReadOnlyList<string>> RemoveAsync(Torrent torrent, bool deleteData = false)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        await torrent.StopAsync().ConfigureAwait(false);
        lock (_gate)
        {
            if (!_torrents.TryGetValue(torrent.Hash, out var held) || !ReferenceEquals(held, torrent))
            {
                throw new TorrentPSException("TorrentNotFound", TorrentErrorKind.ObjectNotFound, $"The session does not hold the torrent {torrent.Name} ({torrent.InfoHash}): it was removed already.");
            }

            if (held.IsRunning)
            {
                throw AlreadyRunning(held);
            }

            _torrents.Remove(torrent.Hash);
        }

        _store?.Forget(torrent.Hash);
        var failed = deleteData ? TorrentData.Delete(torrent.Request, torrent.Info, StateResumeFolder) : [];
        SaveSoon();
        return failed;
    }

    /// <summary>Stops every running torrent and the listener (the state folder is saved first; see <see cref="CloseAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        ListenBinding? binding;
        SessionDiscovery? discovery;
        lock (_listenLock)
        {
            binding = _binding;
            _binding = null;
            discovery = _discovery;
            _discovery = null;
            Volatile.Write(ref _listenPort, 0);
        }

        if (discovery is not null)
        {
            await discovery.DisposeAsync().ConfigureAwait(false);
        }

        if (binding is not null)
        {
            await binding.DisposeAsync().ConfigureAwait(false);
        }

        _ticker.Dispose();
        CloseState();
    }

    /// <summary>
    /// Stops every run (each saves its progress and tells its trackers <c>stopped</c>) and saves the torrent list with
    /// them as they were, so a later process lists them; waits at most <paramref name="timeout"/>. The torrents stay
    /// held (Stopped). For the end of the process (pwsh exiting, the module removed).
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        var running = _runs.Values.ToArray();
        SaveNow();
        var held = Torrents.Where(t => t.IsRunning).ToArray();
        var stopping = held.Select(t => t.StopAsync()).Concat(running.Where(r => held.All(t => t.Run != r)).Select(r => (Task)r.StopAsync()));
        try
        {
            await Task.WhenAll(stopping).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A run that fails or takes too long is its owner's to report; the rest is saved.
        }

        SaveNow();
    }

    /// <summary>
    /// Options for a one-off tracker conversation (<c>Get-TorrentPeer</c>, <c>tps peers</c>): the session's peer id, key
    /// and listen port, and this machine's own addresses at that port as endpoints never to report (trackers list the
    /// announcing peer too). The session listens first, so the port the trackers hear is one that answers; only when no
    /// port can be bound is the default port named.
    /// </summary>
    public TrackerDiscoveryOptions CreateDiscoveryOptions(TimeSpan timeout)
    {
        try
        {
            Listen();
        }
        catch (TorrentPSException)
        {
            // Nothing can be bound here: the conversation still goes ahead, announcing the default port.
        }

        var port = ListenPort > 0 ? ListenPort : TrackerDiscoveryOptions.DefaultPort;
        return new()
        {
            PeerId = PeerId,
            Key = TrackerKey,
            Port = port,
            Tracker = TrackerOptions.ForInteractive(timeout),
            OwnEndPoints = OwnAddresses.Value.Select(a => new IPEndPoint(a, port)).ToArray(),
        };
    }

    /// <summary>Whether <paramref name="address"/> is one of this machine's.</summary>
    public static bool IsLocalAddress(IPAddress address)
    {
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(normal) || OwnAddresses.Value.Contains(normal);
    }

    /// <summary>Starts a run of a torrent the session does not keep (tests and tools). It does not make the session listen.</summary>
    internal TorrentRun Start(TorrentInfo torrent, TorrentOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return Register(NewRun(torrent.Hash, torrent.Name, torrent, torrent.TrackerTiers, options, loggers));
    }

    /// <summary>Starts a run of a magnet link (tests): its metadata is fetched from peers first (unless <paramref name="knownInfo"/> has it).</summary>
    internal TorrentRun Start(MagnetLink magnet, TorrentOptions options, ILoggerFactory? loggers = null, TorrentInfo? knownInfo = null)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        var withMagnetPeers = options with { Peers = [.. options.Peers, .. magnet.PeerEndPoints] };
        var name = knownInfo?.Name ?? magnet.DisplayName ?? magnet.Hash.Hex;
        return Register(NewRun(magnet.Hash, name, knownInfo, MagnetTiers(magnet), withMagnetPeers, loggers));
    }

    /// <summary>A run of <paramref name="torrent"/> ended (the torrent's watcher, off the loop): a fetch leaves the list; the list is saved.</summary>
    internal void RunEnded(Torrent torrent, TorrentRun run)
    {
        _runs.TryRemove(new KeyValuePair<InfoHash, TorrentRun>(run.InfoHash, run));
        if (!torrent.Request.IsKept)
        {
            lock (_gate)
            {
                if (_torrents.TryGetValue(torrent.Hash, out var held) && ReferenceEquals(held, torrent) && !torrent.IsRunning)
                {
                    _torrents.Remove(torrent.Hash);
                }
            }
        }

        SaveSoon();
    }

    /// <summary>A new run of a held torrent that is not running (<see cref="Torrent.Resume"/>); nothing when it runs.</summary>
    internal void Resume(Torrent torrent, ILoggerFactory? loggers = null)
    {
        ListenFor(torrent.Request, loggers);
        lock (_gate)
        {
            if (torrent.IsRunning)
            {
                return;
            }

            if (!_torrents.TryGetValue(torrent.Hash, out var held) || !ReferenceEquals(held, torrent))
            {
                throw new TorrentPSException("TorrentNotFound", TorrentErrorKind.ObjectNotFound, $"The torrent {torrent.Name} ({torrent.InfoHash}) was removed from the session.");
            }

            StartRun(torrent, torrent.Request, loggers);
        }

        SaveSoon();
    }

    /// <summary>Listens before a torrent starts (the first one binds), saying where through the caller's log (the listener itself logs nowhere: it outlives every caller).</summary>
    private void ListenFor(TransferRequest request, ILoggerFactory? loggers)
    {
        if (ListenEndPoint is not null)
        {
            return;
        }

        var bound = Listen(request.Listen);
        (loggers ?? NullLoggerFactory.Instance).CreateLogger<TorrentSession>().LogInformation("Listening for peers on {EndPoint} (TCP; the UDP port of the same number is free)", bound);
    }

    private static bool SameData(Torrent held, TransferRequest request)
    {
        var current = held.Request;
        if (!current.IsKept || !request.IsKept)
        {
            return false;
        }

        var info = held.Info ?? request.Torrent;
        var heldPath = current.ContentPathFor(info) ?? FullPathOrEmpty(current.Destination);
        var askedPath = request.ContentPathFor(info) ?? FullPathOrEmpty(request.Destination);
        return string.Equals(heldPath, askedPath, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
            && (current.Layout == request.Layout || info is not null);
    }

    private static string FullPathOrEmpty(string path) => string.IsNullOrEmpty(path) ? string.Empty : Path.GetFullPath(path);

    private static TorrentPSException AlreadyRunning(Torrent held)
        => new("TorrentAlreadyRunning", TorrentErrorKind.ResourceUnavailable, $"The torrent {held.Name} ({held.InfoHash}) is already running in this session{(held.Destination.Length > 0 ? $", with its data at {held.Destination}" : string.Empty)}.");

    private static IReadOnlyList<IReadOnlyList<string>> MagnetTiers(MagnetLink magnet) => magnet.Trackers.Select(t => (IReadOnlyList<string>)[t]).ToArray();

    private static string Units(int count) => count == 1 ? "1 torrent" : $"{count} torrents";

    /// <summary>A new run of <paramref name="torrent"/> per <paramref name="request"/> (under the gate).</summary>
    private void StartRun(Torrent torrent, TransferRequest request, ILoggerFactory? loggers)
    {
        var info = request.Torrent ?? torrent.Info ?? KnownMetadata(request, loggers);
        if (info is null && NowhereToAsk(request) is { } nowhere)
        {
            throw nowhere;
        }

        var defaults = new TorrentOptions { Data = _ => throw new InvalidOperationException(), MaxConnections = MaxConnectionsPerTorrent };
        var options = request.ToOptions(StateResumeFolder, loggers, defaults);
        var tiers = info is not null && request.Magnet is null ? info.TrackerTiers : request.Magnet is { } magnet ? MagnetTiersOr(magnet, info) : [];
        var name = info?.Name ?? request.Name;
        var run = Register(NewRun(request.InfoHash, name, info, tiers, options, loggers), start: false);
        torrent.BeginRun(run, request);
        run.Start();
    }

    /// <summary>
    /// The error for a magnet link whose metadata is not known and that names nowhere to ask for it (no tracker in use, no
    /// <c>x.pe</c> peer, no peer given): nothing could ever answer, so it is said at once instead of after the timeout.
    /// </summary>
    private TorrentPSException? NowhereToAsk(TransferRequest request)
    {
        if (request.Magnet is not { } magnet || (request.UseTrackers && magnet.Trackers.Count > 0) || magnet.PeerAddresses.Count > 0 || request.Peers.Count > 0)
        {
            return null;
        }

        if (request.UseDht && Discovery?.DhtCanSearch == true)
        {
            return null;
        }

        var dht = !request.UseDht ? "the DHT is turned off for it (-NoDht)"
            : Discovery?.Dht is null ? "the session runs no DHT (Set-TorrentSession -Dht)"
            : "the DHT knows no node and has no bootstrap node to ask (Set-TorrentSession -DhtBootstrapNode)";
        return new TorrentPSException(
            "NowhereToAsk",
            TorrentErrorKind.InvalidArgument,
            $"The magnet link of '{request.Name}' names no tracker (tr) and no peer (x.pe), no peer was given, and {dht}: there is nowhere to ask for its metadata. Give a peer, use a link with a tracker, or let the DHT search.");
    }

    private static IReadOnlyList<IReadOnlyList<string>> MagnetTiersOr(MagnetLink magnet, TorrentInfo? info)
        => magnet.Trackers.Count > 0 || info is null ? MagnetTiers(magnet) : info.TrackerTiers;

    /// <summary>A magnet link's metadata from the resume data of an earlier run into the same place; null when there is none.</summary>
    private TorrentInfo? KnownMetadata(TransferRequest request, ILoggerFactory? loggers)
    {
        if (request.Magnet is not { } magnet || request.ResumePath(StateResumeFolder) is not { } resume)
        {
            return null;
        }

        return MagnetResume.TryLoad(magnet, resume, (loggers ?? NullLoggerFactory.Instance).CreateLogger<TorrentSession>());
    }

    private TorrentRun NewRun(InfoHash infoHash, string name, TorrentInfo? info, IReadOnlyList<IReadOnlyList<string>> tiers, TorrentOptions options, ILoggerFactory? loggers)
        => new(infoHash, name, info, tiers, options, new TorrentIdentity(PeerId.Generate(), ListenPort, TrackerKey), _time, loggers, Limits, _ticker, Discovery);

    private TorrentRun Register(TorrentRun run, bool start = true)
    {
        while (!_runs.TryAdd(run.InfoHash, run))
        {
            // A run that has ended but whose removal (a continuation of its completion) has not run yet is not running.
            if (_runs.TryGetValue(run.InfoHash, out var existing) && existing.Completion.IsCompleted)
            {
                if (_runs.TryUpdate(run.InfoHash, run, existing))
                {
                    break;
                }

                continue;
            }

            if (existing is not null)
            {
                throw new TorrentPSException("TorrentAlreadyRunning", TorrentErrorKind.ResourceUnavailable, $"The torrent {run.Name} ({run.InfoHash}) is already running in this session.");
            }
        }

        _ = run.Completion.ContinueWith(_ => _runs.TryRemove(new KeyValuePair<InfoHash, TorrentRun>(run.InfoHash, run)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (start)
        {
            run.Start();
        }

        return run;
    }

    /// <summary>The listener on <paramref name="endPoint"/>: peers routed to the run of their info hash, encrypted handshakes answered for the running torrents.</summary>
    private PeerListener StartListener(IPEndPoint endPoint, ILoggerFactory? loggers) => PeerListener.Start(endPoint, Lookup, Route, loggers, served: () => _runs.Keys);

    private HandshakeOptions? Lookup(InfoHash infoHash) => _runs.TryGetValue(infoHash, out var run) ? run.IncomingHandshakeOptions() : null;

    private void Route(PeerWire wire, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(wire.InfoHash, out var run))
        {
            run.AdoptIncoming(wire);
        }
        else
        {
            wire.Dispose();
        }
    }
}
