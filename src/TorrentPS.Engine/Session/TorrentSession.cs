using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Process-wide client state shared by every torrent started from any runspace: the tracker key, the listener (one port
/// for all torrents, incoming peers routed by info hash), and the running torrents. Each torrent gets a peer id of its
/// own. The engine never reads <see cref="Shared"/>: the module and the CLI pass a session in.
/// </summary>
public sealed class TorrentSession : IAsyncDisposable
{
    private static readonly Lazy<IReadOnlyList<IPAddress>> OwnAddresses = new(TrackerDiscoveryOptions.LocalAddresses);

    private readonly ConcurrentDictionary<InfoHash, Torrent> _torrents = new();
    private readonly object _listenLock = new();
    private readonly TimeProvider _time;
    private PeerListener? _listener;
    private int _listenPort;

    public TorrentSession(PeerId? peerId = null, TimeProvider? time = null)
    {
        PeerId = peerId ?? PeerId.Generate();
        TrackerKey = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The connection bound and rate limits every torrent of the session shares.</summary>
    public SessionLimits Limits { get; } = new();

    /// <summary>The one session of this process (the module's and the CLI's).</summary>
    public static TorrentSession Shared { get; } = new();

    /// <summary>The session's peer id, for one-off conversations (a torrent uses one of its own).</summary>
    public PeerId PeerId { get; }

    /// <summary>The random <c>key</c> sent to trackers so they can recognise us across IP changes.</summary>
    public uint TrackerKey { get; }

    /// <summary>The TCP port peers can reach us on; announced to trackers. 0 when not listening.</summary>
    public int ListenPort
    {
        get => Volatile.Read(ref _listenPort);
        set => Volatile.Write(ref _listenPort, value);
    }

    /// <summary>The torrents running now.</summary>
    public IReadOnlyCollection<Torrent> Torrents => _torrents.Values.ToArray();

    /// <summary>
    /// Listens for peers (once per session; later calls return the running listener's endpoint). Port 0 picks a free
    /// port; a port in use falls back to the next ones (up to 10).
    /// </summary>
    /// <exception cref="TorrentPSException"><c>ListenFailed</c>: no port could be bound.</exception>
    public IPEndPoint Listen(IPAddress? address = null, int port = 0, ILoggerFactory? loggers = null)
    {
        lock (_listenLock)
        {
            if (_listener is not null)
            {
                return _listener.LocalEndPoint;
            }

            address ??= IPAddress.Any;
            TorrentPSException? last = null;
            for (var attempt = 0; attempt < (port == 0 ? 1 : 10); attempt++)
            {
                var tryPort = port == 0 ? 0 : port + attempt;
                if (tryPort > 65535)
                {
                    break;
                }

                try
                {
                    _listener = PeerListener.Start(new IPEndPoint(address, tryPort), Lookup, Route, loggers);
                    ListenPort = _listener.LocalEndPoint.Port;
                    return _listener.LocalEndPoint;
                }
                catch (TorrentPSException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                {
                    last = ex;
                }
            }

            throw last ?? new TorrentPSException("ListenFailed", TorrentErrorKind.ResourceUnavailable, $"Cannot listen for peers on {address}:{port}.");
        }
    }

    /// <summary>Starts downloading (or seeding) a torrent.</summary>
    /// <exception cref="TorrentPSException"><c>TorrentAlreadyRunning</c>: this session already runs the torrent.</exception>
    public Torrent Start(TorrentInfo torrent, TorrentOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return Register(new Torrent(torrent.InfoHash, torrent.Name, torrent, torrent.TrackerTiers, options, NewIdentity(), _time, loggers, Limits));
    }

    /// <summary>Starts a magnet link: its metadata is fetched from peers first (unless <paramref name="knownInfo"/> has it already, from resume data).</summary>
    public Torrent Start(MagnetLink magnet, TorrentOptions options, ILoggerFactory? loggers = null, TorrentInfo? knownInfo = null)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        var tiers = magnet.Trackers.Select(t => (IReadOnlyList<string>)[t]).ToArray();
        var withMagnetPeers = options with { Peers = [.. options.Peers, .. magnet.PeerEndPoints] };
        var name = knownInfo?.Name ?? magnet.DisplayName ?? magnet.InfoHash.Hex;
        return Register(new Torrent(magnet.InfoHash, name, knownInfo, tiers, withMagnetPeers, NewIdentity(), _time, loggers, Limits));
    }

    /// <summary>
    /// Runs a torrent to its end: started, awaited, and stopped when <paramref name="cancellationToken"/> is cancelled
    /// (Ctrl+C), in which case the result says Stopped and progress is saved. Faults with the torrent's typed error when it
    /// failed (no progress within its timeout, the disk failed).
    /// </summary>
    public static async Task<DownloadResult> RunAsync(Torrent torrent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        using var stop = cancellationToken.Register(static t => ((Torrent)t!).Stop("cancelled"), torrent);
        return await torrent.Completion.ConfigureAwait(false);
    }

    /// <summary>Stops every running torrent and the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        var running = Torrents;
        foreach (var torrent in running)
        {
            torrent.Stop("the session is closing");
        }

        foreach (var torrent in running)
        {
            try
            {
                await torrent.Completion.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its owner hears about its failure.
            }
        }

        PeerListener? listener;
        lock (_listenLock)
        {
            listener = _listener;
            _listener = null;
            ListenPort = 0;
        }

        if (listener is not null)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Options for a one-off tracker conversation (<c>Get-TorrentPeer</c>, <c>tps peers</c>): the session's peer id, key
    /// and listen port, and this machine's own addresses at that port as endpoints never to report (trackers list the
    /// announcing peer too).
    /// </summary>
    public TrackerDiscoveryOptions CreateDiscoveryOptions(TimeSpan timeout)
    {
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

    private TorrentIdentity NewIdentity() => new(PeerId.Generate(), ListenPort, TrackerKey);

    private Torrent Register(Torrent torrent)
    {
        while (!_torrents.TryAdd(torrent.InfoHash, torrent))
        {
            // A run that has ended but whose removal (a continuation of its completion) has not run yet is not running.
            if (_torrents.TryGetValue(torrent.InfoHash, out var existing) && existing.Completion.IsCompleted)
            {
                if (_torrents.TryUpdate(torrent.InfoHash, torrent, existing))
                {
                    break;
                }

                continue;
            }

            if (existing is not null)
            {
                throw new TorrentPSException("TorrentAlreadyRunning", TorrentErrorKind.ResourceUnavailable, $"The torrent {torrent.Name} ({torrent.InfoHash}) is already running in this session.");
            }
        }

        _ = torrent.Completion.ContinueWith(_ => _torrents.TryRemove(new KeyValuePair<InfoHash, Torrent>(torrent.InfoHash, torrent)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        torrent.Start();
        return torrent;
    }

    private HandshakeOptions? Lookup(InfoHash infoHash) => _torrents.TryGetValue(infoHash, out var torrent) ? torrent.IncomingHandshakeOptions() : null;

    private void Route(PeerWire wire, CancellationToken cancellationToken)
    {
        if (_torrents.TryGetValue(wire.InfoHash, out var torrent))
        {
            torrent.AdoptIncoming(wire);
        }
        else
        {
            wire.Dispose();
        }
    }
}
