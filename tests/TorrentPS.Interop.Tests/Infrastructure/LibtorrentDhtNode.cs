using System.Globalization;
using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>What a libtorrent DHT node does besides being a node.</summary>
public sealed record LibtorrentDhtNodeOptions
{
    /// <summary>Nodes it bootstraps from (<c>add_dht_node</c>); none for the first node of a test's DHT.</summary>
    public IReadOnlyList<IPEndPoint> Bootstrap { get; init; } = [];

    /// <summary>Seeds this torrent, added without trackers once its DHT knows a node, then announced at once (<c>force_dht_announce</c>).</summary>
    public TestTorrent? Seed { get; init; }

    /// <summary>Looks up peers of this info hash (<c>dht_get_peers</c>) every second and prints what it finds.</summary>
    public InfoHash? Lookup { get; init; }

    /// <summary>Downloads this info hash as a trackerless magnet link (peers from the DHT only) into <see cref="DownloadFolder"/>; prints <c>FINISHED</c> when done.</summary>
    public InfoHash? Download { get; init; }

    /// <summary>Where <see cref="Download"/> saves.</summary>
    public string? DownloadFolder { get; init; }
}

/// <summary>
/// A python3-libtorrent (rasterbar 2.0.8) session with its DHT on, on its own 127.0.0.x, settings per INTEROP.md: no
/// UPnP, NAT-PMP or LSD, no default bootstrap routers, TCP only, the loopback restrictions of the DHT off
/// (<c>dht_restrict_routing_ips</c>, <c>dht_restrict_search_ips</c>, <c>dht_prefer_verified_node_ids</c>,
/// <c>dht_enforce_node_id</c>), a short <c>dht_announce_interval</c>. It prints what the tests watch: its routing table
/// (<c>NODES ip:port ...</c>, every second), announces it receives (<c>ANNOUNCE hash ip:port</c>), the peers its lookups
/// find (<c>PEERS hash ip:port ...</c>) and its alerts.
/// </summary>
public sealed class LibtorrentDhtNode : IAsyncDisposable
{
    private const string Script = """
        import socket, struct, sys, time, warnings
        import libtorrent as lt
        warnings.simplefilter('ignore', DeprecationWarning)
        ip, port = sys.argv[1], int(sys.argv[2])
        options = dict(a.split('=', 1) for a in sys.argv[3:])
        settings = {
            'listen_interfaces': '%s:%d' % (ip, port),
            'outgoing_interfaces': ip,
            'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': True,
            'dht_bootstrap_nodes': '',
            'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False,
            'dht_prefer_verified_node_ids': False, 'dht_enforce_node_id': False,
            'dht_announce_interval': 5,
            'enable_outgoing_utp': False, 'enable_incoming_utp': False,
            'allow_multiple_connections_per_ip': True,
            'max_failcount': 1000,
            'alert_mask': lt.alert.category_t.dht_notification | lt.alert.category_t.dht_operation_notification
                | lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        }
        session = lt.session(settings)
        for node in filter(None, options.get('nodes', '').split(',')):
            host, _, node_port = node.rpartition(':')
            session.add_dht_node((host, int(node_port)))
        deadline = time.time() + 30
        while session.listen_port() == 0 and time.time() < deadline:
            time.sleep(0.05)
        print('READY %d' % session.listen_port(), flush=True)

        def routing_table():
            state = session.dht_state()
            nodes = []
            for entry in state.get(b'nodes', []):
                if len(entry) == 6:
                    nodes.append('%s:%d' % (socket.inet_ntoa(entry[:4]), struct.unpack('>H', entry[4:])[0]))
            return nodes

        if 'seed' in options:
            deadline = time.time() + 60
            while session.status().dht_nodes < 1 and time.time() < deadline:
                time.sleep(0.05)
            params = lt.add_torrent_params()
            params.ti = lt.torrent_info(options['seed'])
            params.save_path = options['save']
            params.flags = lt.torrent_flags.seed_mode
            handle = session.add_torrent(params)
            handle.replace_trackers([])
            handle.force_dht_announce()
            print('SEEDING', flush=True)
        download = None
        if 'download' in options:
            deadline = time.time() + 60
            while session.status().dht_nodes < 1 and time.time() < deadline:
                time.sleep(0.05)
            params = lt.parse_magnet_uri('magnet:?xt=urn:btih:' + options['download'])
            params.save_path = options['save']
            download = session.add_torrent(params)
            print('DOWNLOADING', flush=True)
        finished = False
        lookup = lt.sha1_hash(bytes.fromhex(options['lookup'])) if 'lookup' in options else None
        tick = 0
        while True:
            for alert in session.pop_alerts():
                if isinstance(alert, lt.dht_get_peers_reply_alert):
                    print('PEERS %s %s' % (alert.info_hash, ' '.join('%s:%d' % p for p in alert.peers())), flush=True)
                elif isinstance(alert, lt.dht_announce_alert):
                    print('ANNOUNCE %s %s:%d' % (alert.info_hash, alert.ip, alert.port), flush=True)
                elif not isinstance(alert, (lt.dht_outgoing_get_peers_alert, lt.dht_get_peers_alert)):
                    print(alert.message(), flush=True)
            if download is not None and not finished and download.status().is_seeding:
                finished = True
                print('FINISHED', flush=True)
            if download is not None and tick % 4 == 0:
                print('PROGRESS %.3f %d peers' % (download.status().progress, download.status().num_peers), flush=True)
            if tick % 4 == 0:
                print('NODES %s' % ' '.join(routing_table()), flush=True)
                if lookup is not None and session.status().dht_nodes > 0:
                    session.dht_get_peers(lookup)
            tick += 1
            time.sleep(0.25)
        """;

    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;

    private LibtorrentDhtNode(ExternalProcess process, TempDirectory folder, IPEndPoint endPoint)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
    }

    /// <summary>Its UDP (DHT) and TCP (peer) end point: libtorrent uses one port for both.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Everything it printed.</summary>
    public string Output => _process.Output;

    /// <summary>Its routing table as it last printed it.</summary>
    public IReadOnlyList<IPEndPoint> RoutingTable
    {
        get
        {
            var line = Lines("NODES").LastOrDefault();
            return line is null ? [] : line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(IPEndPoint.Parse).ToList();
        }
    }

    /// <summary>The peers its lookups found for <paramref name="infoHash"/>.</summary>
    public IReadOnlyList<IPEndPoint> PeersFound(InfoHash infoHash)
        => Lines($"PEERS {infoHash.Hex}").SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(IPEndPoint.Parse).Distinct().ToList();

    /// <summary>The peers others announced to it for <paramref name="infoHash"/>.</summary>
    public IReadOnlyList<IPEndPoint> AnnouncesReceived(InfoHash infoHash)
        => Lines($"ANNOUNCE {infoHash.Hex}").Select(IPEndPoint.Parse).Distinct().ToList();

    /// <summary>
    /// A small DHT of <paramref name="count"/> plain nodes, each bootstrapping from the first; returns once every node
    /// knows another. Each node is handed to <paramref name="track"/> (the test disposes it).
    /// </summary>
    public static async Task<List<LibtorrentDhtNode>> StartNetworkAsync(int count, Action<IAsyncDisposable> track, TimeSpan patience)
    {
        var first = await StartAsync(new LibtorrentDhtNodeOptions());
        track(first);
        var nodes = new List<LibtorrentDhtNode> { first };
        for (var i = 1; i < count; i++)
        {
            var node = await StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [first.EndPoint] });
            track(node);
            nodes.Add(node);
        }

        foreach (var node in nodes)
        {
            await node.WaitUntilAsync(n => n.RoutingTable.Count > 0, "know another node", patience);
        }

        return nodes;
    }

    /// <summary>Waits until <paramref name="condition"/> holds of any of <paramref name="nodes"/> (checked every 100 ms).</summary>
    public static async Task WaitForAnyAsync(IReadOnlyList<LibtorrentDhtNode> nodes, Func<LibtorrentDhtNode, bool> condition, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!nodes.Any(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No libtorrent DHT node did {what} within {patience}:\n{string.Join("\n---\n", nodes.Select(n => n.Output))}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits for a line of its output containing <paramref name="text"/> (<c>FINISHED</c> of a download).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) => _process.WaitForOutputAsync(text, timeout);

    /// <summary>Starts a node on a fresh loopback address.</summary>
    public static async Task<LibtorrentDhtNode> StartAsync(LibtorrentDhtNodeOptions? options = null)
    {
        options ??= new LibtorrentDhtNodeOptions();
        var folder = new TempDirectory("tps-lt-dht");
        var script = folder.Combine("dht.py");
        await File.WriteAllTextAsync(script, Script);
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        List<string> arguments = [script, address.ToString(), port.ToString(CultureInfo.InvariantCulture)];
        if (options.Bootstrap.Count > 0)
        {
            arguments.Add("nodes=" + string.Join(',', options.Bootstrap.Select(e => $"{e.Address}:{e.Port}")));
        }

        if (options.Seed is { } seed)
        {
            arguments.Add($"seed={seed.TorrentPath}");
            arguments.Add($"save={seed.DataDirectory}");
        }

        if (options.Lookup is { } lookup)
        {
            arguments.Add($"lookup={lookup.Hex}");
        }

        if (options.Download is { } download)
        {
            arguments.Add($"download={download.Hex}");
            arguments.Add($"save={options.DownloadFolder ?? throw new ArgumentException("A download needs a folder.", nameof(options))}");
        }

        var process = ExternalProcess.Start(LibtorrentSeeder.Python, arguments);
        try
        {
            await process.WaitForOutputAsync("READY", TimeSpan.FromSeconds(30));
            if (options.Seed is not null)
            {
                await process.WaitForOutputAsync("SEEDING", TimeSpan.FromSeconds(90));
            }

            return new LibtorrentDhtNode(process, folder, new IPEndPoint(address, port));
        }
        catch
        {
            await process.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds of this node's output (checked every 100 ms), or fails with its output.</summary>
    public async Task WaitUntilAsync(Func<LibtorrentDhtNode, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"libtorrent's DHT node {EndPoint} did not {what} within {timeout}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>The rest of each line that starts with <paramref name="prefix"/> and a space.</summary>
    private IEnumerable<string> Lines(string prefix)
        => Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix + " ", StringComparison.Ordinal) || l == prefix).Select(l => l.Length > prefix.Length ? l[(prefix.Length + 1)..] : string.Empty);
}
