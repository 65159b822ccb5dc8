using System.Globalization;
using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// python3-libtorrent (rasterbar 2.0.8) downloading a test torrent on its own 127.0.0.x, with the seeder's settings
/// (INTEROP.md: no UPnP, NAT-PMP, LSD or DHT, TCP only), dialling the peers it is given. The script prints
/// <c>FINISHED</c> once every piece is verified, and exits.
/// </summary>
public sealed class LibtorrentDownloader : IDownloader
{
    private const string Script = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        peers = sys.argv[5:]
        forced = bool(peers) and peers[0] == '--forced-encryption'
        if forced: peers = peers[1:]
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
        if forced:
            # Only encrypted handshakes (policy 0: forced), offering both a plaintext and an RC4 stream (level 3).
            settings.update({'out_enc_policy': 0, 'in_enc_policy': 0, 'allowed_enc_level': 3, 'prefer_rc4': False})
        session = lt.session(settings)
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = save_path
        handle = session.add_torrent(params)
        for peer in peers:
            host, peer_port = peer.rsplit(':', 1)
            handle.connect_peer((host, int(peer_port)))
        print('STARTED', flush=True)
        while True:
            for alert in session.pop_alerts():
                print(alert.message(), flush=True)
            status = handle.status()
            if status.is_seeding:
                print('FINISHED %d' % status.total_payload_download, flush=True)
                break
            time.sleep(0.1)
        session.pause()
        del handle
        del session
        """;

    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;

    private LibtorrentDownloader(ExternalProcess process, TempDirectory folder, IPEndPoint endPoint, string downloadPath)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
        DownloadPath = downloadPath;
    }

    public IPEndPoint EndPoint { get; }

    public string DownloadPath { get; }

    public string Output => _process.Output;

    /// <summary>Starts downloading <paramref name="torrent"/> into a folder of its own, dialling <paramref name="peers"/>.</summary>
    public static Task<LibtorrentDownloader> StartAsync(TorrentInfo torrent, params IPEndPoint[] peers) => StartAsync(torrent, forcedEncryption: false, peers);

    /// <summary>
    /// The same; with <paramref name="forcedEncryption"/> libtorrent opens every connection with a Message Stream
    /// Encryption handshake and accepts no plaintext one.
    /// </summary>
    public static async Task<LibtorrentDownloader> StartAsync(TorrentInfo torrent, bool forcedEncryption, params IPEndPoint[] peers)
    {
        var folder = new TempDirectory("tps-lt-down");
        try
        {
            var script = folder.Combine("download.py");
            await File.WriteAllTextAsync(script, Script);
            var save = folder.Combine("save");
            Directory.CreateDirectory(save);
            var address = Loopback.NextAddress();
            var port = Loopback.FreePort(address);
            List<string> arguments = [script, torrent.SourcePath!, save, address.ToString(), port.ToString(CultureInfo.InvariantCulture)];
            if (forcedEncryption)
            {
                arguments.Add("--forced-encryption");
            }

            arguments.AddRange(peers.Select(p => $"{p.Address}:{p.Port.ToString(CultureInfo.InvariantCulture)}"));
            var process = ExternalProcess.Start(LibtorrentSeeder.Python, arguments);
            try
            {
                await process.WaitForOutputAsync("STARTED", TimeSpan.FromSeconds(30));
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }

            return new LibtorrentDownloader(process, folder, new IPEndPoint(address, port), Path.Combine(save, torrent.Name));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task WaitFinishedAsync(TimeSpan timeout) => _process.WaitForOutputAsync("FINISHED", timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
