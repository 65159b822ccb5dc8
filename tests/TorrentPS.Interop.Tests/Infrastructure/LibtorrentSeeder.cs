using System.Net;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A python3-libtorrent (rasterbar 2.0.8) seeder on its own 127.0.0.x, settings per INTEROP.md: no UPnP,
/// NAT-PMP, LSD or DHT, TCP only, bound to loopback. The script prints <c>READY &lt;port&gt;</c>.
/// </summary>
public sealed record LibtorrentSeederOptions
{
    /// <summary>Dial this peer once started (to test our listener).</summary>
    public IPEndPoint? ConnectTo { get; init; }

    /// <summary>Listen here instead of a fresh address (a test that named the seeder before it started).</summary>
    public IPEndPoint? EndPoint { get; init; }

    /// <summary>Its save path instead of the torrent's own data folder (say, a copy holding only some pieces).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Hash the data first and offer only the pieces that pass (a partial seeder, which also downloads the rest from
    /// whoever connects), instead of trusting it all in seed mode.
    /// </summary>
    public bool CheckData { get; init; }

    /// <summary>An upload limit that applies on loopback too; 0 for none.</summary>
    public int UploadBytesPerSecond { get; init; }
}

public sealed class LibtorrentSeeder : ISeeder
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        options = dict(a.split('=', 1) for a in sys.argv[5:])
        upload_limit = int(options.get('upload_limit', '0'))
        settings = {
            'listen_interfaces': '%s:%d' % (ip, port),
            'outgoing_interfaces': ip,
            'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False,
            'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False,
            'allow_multiple_connections_per_ip': True,
            'upload_rate_limit': upload_limit, 'download_rate_limit': 0,
            'max_failcount': 1000,
            'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        }
        session = lt.session(settings)
        if upload_limit > 0:
            # Loopback peers are in the local peer class, which no rate limit applies to: put everyone in the global one.
            classes = lt.ip_filter()
            classes.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
            session.set_peer_class_filter(classes)
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = save_path
        check = options.get('check') == '1'
        params.flags = 0 if check else lt.torrent_flags.seed_mode
        handle = session.add_torrent(params)
        if 'connect' in options:
            host, _, peer_port = options['connect'].rpartition(':')
            handle.connect_peer((host, int(peer_port)))
        deadline = time.time() + 20
        while session.listen_port() == 0 and time.time() < deadline:
            time.sleep(0.05)
        if check:
            while handle.status().state in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data) and time.time() < deadline:
                time.sleep(0.05)
            print('HAVE %d' % handle.status().num_pieces, flush=True)
        print('READY %d' % session.listen_port(), flush=True)
        while True:
            for alert in session.pop_alerts():
                print(alert.message(), flush=True)
            print('UPLOADED %d' % handle.status().total_payload_upload, flush=True)
            time.sleep(0.5)
        """;

    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;

    private LibtorrentSeeder(ExternalProcess process, TempDirectory folder, IPEndPoint endPoint)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>What it printed (its alerts), without the upload counts it reports every half second.</summary>
    public string Output => string.Join('\n', _process.Output.Split('\n').Where(l => !l.StartsWith("UPLOADED ", StringComparison.Ordinal)));

    /// <summary>Payload bytes it uploaded in this run, as it last reported them (every half second).</summary>
    public long Uploaded
    {
        get
        {
            var line = _process.Output.Split('\n').LastOrDefault(l => l.StartsWith("UPLOADED ", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["UPLOADED ".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>With <see cref="LibtorrentSeederOptions.CheckData"/>: how many pieces it found valid.</summary>
    public int PiecesFound
    {
        get
        {
            var line = _process.Output.Split('\n').First(l => l.StartsWith("HAVE ", StringComparison.Ordinal));
            return int.Parse(line["HAVE ".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Why libtorrent cannot run here, or null when /usr/bin/python3 imports it.</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is not installed";
        }

        try
        {
            ExternalProcess.RunAsync(Python, ["-c", "import libtorrent"], TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            return $"{Python} cannot import libtorrent: {ex.Message}";
        }
    }

    /// <summary>Starts seeding; with <paramref name="connectTo"/> it also dials that peer (to test our listener).</summary>
    public static Task<LibtorrentSeeder> StartAsync(TestTorrent torrent, IPEndPoint? connectTo = null)
        => StartAsync(torrent, new LibtorrentSeederOptions { ConnectTo = connectTo });

    /// <summary>Starts seeding (or, with <see cref="LibtorrentSeederOptions.CheckData"/>, offering the pieces it finds) as the options say.</summary>
    public static async Task<LibtorrentSeeder> StartAsync(TestTorrent torrent, LibtorrentSeederOptions options)
    {
        var folder = new TempDirectory("tps-lt");
        var script = folder.Combine("seed.py");
        await File.WriteAllTextAsync(script, Script);
        var address = options.EndPoint?.Address ?? Loopback.NextAddress();
        var port = options.EndPoint?.Port ?? Loopback.FreePort(address);
        List<string> arguments = [script, torrent.TorrentPath, options.DataDirectory ?? torrent.DataDirectory, address.ToString(), port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (options.ConnectTo is { } peer)
        {
            arguments.Add($"connect={peer.Address}:{peer.Port}");
        }

        if (options.UploadBytesPerSecond > 0)
        {
            arguments.Add($"upload_limit={options.UploadBytesPerSecond}");
        }

        if (options.CheckData)
        {
            arguments.Add("check=1");
        }

        var process = ExternalProcess.Start(Python, arguments);
        try
        {
            await process.WaitForOutputAsync("READY", TimeSpan.FromSeconds(30));
            var endPoint = new IPEndPoint(address, port);
            if (options.ConnectTo is null)
            {
                await SeederReadiness.WaitAsync(endPoint, torrent.Info.Hash, process, TimeSpan.FromSeconds(20));
            }

            return new LibtorrentSeeder(process, folder, endPoint);
        }
        catch
        {
            await process.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
