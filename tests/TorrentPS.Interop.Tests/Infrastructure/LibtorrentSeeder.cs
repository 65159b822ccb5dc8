using System.Net;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A python3-libtorrent (rasterbar 2.0.8) seeder on its own 127.0.0.x, settings per INTEROP.md: no UPnP,
/// NAT-PMP, LSD or DHT, TCP only, bound to loopback. The script prints <c>READY &lt;port&gt;</c>.
/// </summary>
public sealed class LibtorrentSeeder : ISeeder
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        settings = {
            'listen_interfaces': '%s:%d' % (ip, port),
            'outgoing_interfaces': ip,
            'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False,
            'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False,
            'allow_multiple_connections_per_ip': True,
            'upload_rate_limit': 0, 'download_rate_limit': 0,
            'max_failcount': 1000,
            'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        }
        session = lt.session(settings)
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = save_path
        params.flags = lt.torrent_flags.seed_mode
        handle = session.add_torrent(params)
        if len(sys.argv) > 6:
            handle.connect_peer((sys.argv[5], int(sys.argv[6])))
        deadline = time.time() + 20
        while session.listen_port() == 0 and time.time() < deadline:
            time.sleep(0.05)
        print('READY %d' % session.listen_port(), flush=True)
        while True:
            for alert in session.pop_alerts():
                print(alert.message(), flush=True)
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

    public string Output => _process.Output;

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
    public static async Task<LibtorrentSeeder> StartAsync(TestTorrent torrent, IPEndPoint? connectTo = null)
    {
        var folder = new TempDirectory("tps-lt");
        var script = folder.Combine("seed.py");
        await File.WriteAllTextAsync(script, Script);
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        List<string> arguments = [script, torrent.TorrentPath, torrent.DataDirectory, address.ToString(), port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (connectTo is not null)
        {
            arguments.AddRange([connectTo.Address.ToString(), connectTo.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var process = ExternalProcess.Start(Python, arguments);
        try
        {
            await process.WaitForOutputAsync("READY", TimeSpan.FromSeconds(30));
            var endPoint = new IPEndPoint(address, port);
            if (connectTo is null)
            {
                await SeederReadiness.WaitAsync(endPoint, torrent.Info.InfoHash, process, TimeSpan.FromSeconds(20));
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
