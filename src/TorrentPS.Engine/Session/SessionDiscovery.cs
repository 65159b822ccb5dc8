using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.LocalDiscovery;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The session's ways of finding peers without a tracker, on its listen port: the DHT node (BEP 5) on the UDP port of
/// the same number, bootstrapped from the nodes the state folder saved, then the configured routers; and local service
/// discovery (BEP 14), whose finds go to the run of the torrent they name. Started when the session starts listening,
/// stopped (the DHT's nodes saved) when it stops. Each torrent's lookups are its run's (<see cref="Swarm.DhtPeerSearch"/>).
/// </summary>
/// <remarks>
/// In a test process (<see cref="StateFolder.TestVariable"/> set) nothing may reach beyond this host: the DHT refuses to
/// resolve the public routers (a session that does not name its bootstrap nodes runs no DHT, and says so loudly), and
/// local discovery, unless the settings turn it on, stays off (when on, it multicasts only through loopback, TTL 0).
/// </remarks>
internal sealed class SessionDiscovery : IAsyncDisposable
{
    private const string NodesFile = "dht.json";

    private readonly ILogger _logger;
    private readonly string? _stateFolder;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _routing;
    private readonly Task _bootstrap;
    private readonly bool _hasRouters;
    private readonly int _savedNodes;

    private SessionDiscovery(DhtNode? dht, bool hasRouters, LocalPeerDiscovery? local, string? stateFolder, IReadOnlyList<DhtSavedNode> savedNodes, Action<LocalPeerFound> localFound, ILogger logger)
    {
        Dht = dht;
        Local = local;
        _hasRouters = hasRouters;
        _savedNodes = savedNodes.Count;
        _stateFolder = stateFolder;
        _logger = logger;
        _bootstrap = dht is null ? Task.CompletedTask : BootstrapAsync(dht, savedNodes);
        _routing = local is null ? Task.CompletedTask : RouteAsync(local, localFound, _stop.Token);
    }

    /// <summary>The session's DHT node; null when the DHT is off.</summary>
    public DhtNode? Dht { get; }

    /// <summary>
    /// Whether the DHT has anywhere to look: routers to ask, saved nodes, or nodes in its table. A magnet link with no
    /// tracker and no peer needs it.
    /// </summary>
    public bool DhtCanSearch => Dht is not null && (_hasRouters || _savedNodes > 0 || Dht.Status.Nodes > 0);

    /// <summary>Local service discovery; null when it is off.</summary>
    public LocalPeerDiscovery? Local { get; }

    /// <summary>Whether this process is a test run (the test helpers set <see cref="StateFolder.TestVariable"/>).</summary>
    internal static bool InTest => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StateFolder.TestVariable));

    /// <summary>
    /// Starts what <paramref name="settings"/> turns on, on <paramref name="udp"/> (the session's UDP socket, bound on the
    /// listen port's number; null when it has none) and <paramref name="listenPort"/>. A part that cannot start is left
    /// out with a warning: the torrents go on with their trackers.
    /// </summary>
    public static SessionDiscovery Start(Socket? udp, int listenPort, SessionSettings settings, string? stateFolder, Action<LocalPeerFound> localFound, ILoggerFactory? loggers)
    {
        loggers ??= NullLoggerFactory.Instance;
        var logger = loggers.CreateLogger<SessionDiscovery>();
        var dht = StartDht(udp, settings, stateFolder, loggers, logger, out var hasRouters);
        var local = StartLocal(listenPort, settings, loggers, logger);
        return new SessionDiscovery(dht, hasRouters, local, stateFolder, dht is null ? [] : LoadNodes(stateFolder, logger), localFound, logger);
    }

    /// <summary>Tells the local network we have <paramref name="infoHash"/> (a public torrent), and listens for others who do.</summary>
    public void Announce(InfoHash infoHash) => Local?.Announce(infoHash);

    /// <summary>Stops announcing <paramref name="infoHash"/> on the local network.</summary>
    public void Withdraw(InfoHash infoHash) => Local?.Withdraw(infoHash);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (Dht is not null)
        {
            SaveNodes(Dht);
            await Dht.DisposeAsync().ConfigureAwait(false);
        }

        if (Local is not null)
        {
            await Local.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_routing, _bootstrap).ConfigureAwait(false);
        _stop.Dispose();
    }

    private static DhtNode? StartDht(Socket? udp, SessionSettings settings, string? stateFolder, ILoggerFactory loggers, ILogger logger, out bool hasRouters)
    {
        hasRouters = false;
        if (!settings.Dht)
        {
            udp?.Dispose();
            return null;
        }

        if (udp is null)
        {
            logger.LogWarning("The DHT is off: the session has no UDP socket on its listen port");
            return null;
        }

        var routers = settings.DhtBootstrapNodes;
        if (routers is null && InTest)
        {
            // A test names its nodes; one that does not gets none rather than the public routers.
            logger.LogDebug("{Variable} is set and the session names no DHT bootstrap nodes: the DHT starts with none", StateFolder.TestVariable);
            routers = [];
        }

        hasRouters = routers is null || routers.Count > 0;
        var options = new DhtOptions
        {
            BootstrapNodes = routers,
            ForbidDefaultRouters = InTest,
            NodeId = LoadNodeId(stateFolder),
        };
        try
        {
            return DhtNode.Start(udp, options, loggers.CreateLogger<DhtNode>(), TimeProvider.System);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or ArgumentException)
        {
            udp.Dispose();
            logger.LogWarning("The DHT is off: {Reason}", ex.Message);
            return null;
        }
    }

    private static LocalPeerDiscovery? StartLocal(int listenPort, SessionSettings settings, ILoggerFactory loggers, ILogger logger)
    {
        var on = settings.LocalDiscovery ?? !InTest;
        if (!on || listenPort <= 0)
        {
            return null;
        }

        var options = InTest || LocalPeerDiscovery.RequireLoopback ? LocalDiscoveryOptions.LoopbackOnly(settings.LocalDiscoveryPort) : LocalDiscoveryOptions.Default with { Port = settings.LocalDiscoveryPort };
        try
        {
            var local = new LocalPeerDiscovery(listenPort, options, TimeProvider.System, loggers.CreateLogger<LocalPeerDiscovery>());
            local.Start();
            return local;
        }
        catch (Exception ex) when (ex is SocketException or InvalidOperationException or ArgumentException)
        {
            logger.LogWarning("Local peer discovery is off: {Reason}", ex.Message);
            return null;
        }
    }

    /// <summary>Joins the DHT; the node's bootstrap starts before this returns, so lookups asked from now on wait for it.</summary>
    private async Task BootstrapAsync(DhtNode dht, IEnumerable<DhtSavedNode> saved)
    {
        try
        {
            var nodes = await dht.BootstrapAsync(saved, _stop.Token).ConfigureAwait(false);
            _logger.LogInformation("DHT: node {Id} on UDP {EndPoint}, {Nodes} nodes after bootstrap", dht.Id, dht.LocalEndPoint, nodes);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (DhtException ex)
        {
            _logger.LogError("DHT bootstrap failed: {Reason}", ex.Message);
        }
    }

    private static async Task RouteAsync(LocalPeerDiscovery local, Action<LocalPeerFound> found, CancellationToken stop)
    {
        try
        {
            await foreach (var peer in local.Found.ReadAllAsync(stop).ConfigureAwait(false))
            {
                found(peer);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The routing table's good nodes and our id, in the state folder's <c>dht.json</c> (written whole, atomically).</summary>
    private void SaveNodes(DhtNode dht)
    {
        if (_stateFolder is null)
        {
            return;
        }

        try
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("format", 1);
                json.WriteString("id", dht.Id.ToString());
                json.WriteStartArray("nodes");
                foreach (var node in dht.GetNodes())
                {
                    json.WriteStartObject();
                    json.WriteString("id", node.Id);
                    json.WriteString("endPoint", node.EndPoint);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            AtomicFile.Write(Path.Combine(_stateFolder, NodesFile), stream.ToArray());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Saving the DHT's nodes in {Folder} failed: {Reason}", _stateFolder, ex.Message);
        }
    }

    private static IReadOnlyList<DhtSavedNode> LoadNodes(string? stateFolder, ILogger logger)
    {
        if (ReadNodesFile(stateFolder, logger) is not { } root || !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<DhtSavedNode>();
        foreach (var node in nodes.EnumerateArray())
        {
            if (node.ValueKind == JsonValueKind.Object
                && node.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && node.TryGetProperty("endPoint", out var endPoint) && endPoint.ValueKind == JsonValueKind.String)
            {
                list.Add(new DhtSavedNode(id.GetString()!, endPoint.GetString()!));
            }
        }

        return list;
    }

    private static NodeId? LoadNodeId(string? stateFolder)
        => ReadNodesFile(stateFolder, NullLogger.Instance) is { } root && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && NodeId.TryParse(id.GetString(), out var parsed)
            ? parsed
            : null;

    private static JsonElement? ReadNodesFile(string? stateFolder, ILogger logger)
    {
        if (stateFolder is null)
        {
            return null;
        }

        var path = Path.Combine(stateFolder, NodesFile);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            logger.LogWarning("The DHT's saved nodes in {Path} cannot be read ({Reason}); starting from the bootstrap nodes", path, ex.Message);
            return null;
        }
    }
}
