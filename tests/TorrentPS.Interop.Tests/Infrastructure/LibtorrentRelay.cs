using System.Globalization;
using System.Net;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A python3-libtorrent peer without data that relays peers through ut_pex: it dials a seeder, stays connected, and
/// prints its peer log lines about PEX (what it sends and receives). It runs in <c>share_mode</c>, which (unlike
/// <c>upload_mode</c>) does not say <c>upload_only</c> in its extension handshake: a libtorrent seeder with
/// <c>close_redundant_connections</c> on (the default) drops an upload-only peer at once ("upload to upload connection"),
/// and libtorrent sends PEX only about peers it is connected to. Settings otherwise as <see cref="LibtorrentSeeder"/>.
/// Prints <c>READY &lt;port&gt;</c>, then <c>RELAYING</c> once connected to the seeder.
/// </summary>
public sealed class LibtorrentRelay : IAsyncDisposable
{
    private const string Script = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip, port, seeder = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
        settings = {
            'listen_interfaces': '%s:%d' % (ip, port),
            'outgoing_interfaces': ip,
            'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False,
            'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False,
            'allow_multiple_connections_per_ip': True,
            'out_enc_policy': 2, 'in_enc_policy': 1,
            'close_redundant_connections': False,
            'max_failcount': 1000,
            'alert_mask': lt.alert_category.error | lt.alert_category.peer_log,
        }
        session = lt.session(settings)
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = save_path
        params.flags = lt.torrent_flags.share_mode
        handle = session.add_torrent(params)
        host, _, seeder_port = seeder.rpartition(':')
        handle.connect_peer((host, int(seeder_port)))
        deadline = time.time() + 20
        while session.listen_port() == 0 and time.time() < deadline:
            time.sleep(0.05)
        print('READY %d' % session.listen_port(), flush=True)
        relaying = False
        while True:
            for alert in session.pop_alerts():
                message = alert.message()
                if 'PEX' in message or 'CONNECTION_CLOSED' in message or 'error' in message.lower():
                    print(message, flush=True)
            if not relaying and handle.status().num_peers >= 1:
                relaying = True
                print('RELAYING', flush=True)
            time.sleep(0.05)
        """;

    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;

    private LibtorrentRelay(ExternalProcess process, TempDirectory folder, IPEndPoint endPoint)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Its PEX and connection lines from libtorrent's peer log.</summary>
    public string Output => _process.Output;

    /// <summary>Starts it with an empty save path, dialling <paramref name="seeder"/>; returns once it is connected to it.</summary>
    public static async Task<LibtorrentRelay> StartAsync(TestTorrent torrent, IPEndPoint seeder)
    {
        var folder = new TempDirectory("tps-lt-relay");
        var script = folder.Combine("relay.py");
        await File.WriteAllTextAsync(script, Script);
        Directory.CreateDirectory(folder.Combine("data"));
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        var process = ExternalProcess.Start(LibtorrentSeeder.Python, [script, torrent.TorrentPath, folder.Combine("data"), address.ToString(), port.ToString(CultureInfo.InvariantCulture), $"{seeder.Address}:{seeder.Port}"]);
        try
        {
            await process.WaitForOutputAsync("RELAYING", TimeSpan.FromSeconds(30));
            return new LibtorrentRelay(process, folder, new IPEndPoint(address, port));
        }
        catch
        {
            await process.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => _process.WaitForOutputAsync(text, timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
