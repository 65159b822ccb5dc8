namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// python3-libtorrent's seeder and downloader (uTP off, INTEROP.md's settings), written once into the run's folder.
/// The seeder prints <c>READY port</c> and serves until killed; the downloader connects to the peers given and exits
/// once it seeds.
/// </summary>
internal static class LibtorrentScripts
{
    private const string Seeder = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        s = lt.session({'listen_interfaces': '%s:%d' % (ip, port), 'outgoing_interfaces': ip, 'enable_upnp': False,
            'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False, 'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'allow_multiple_connections_per_ip': True,
            'upload_rate_limit': 0, 'download_rate_limit': 0, 'max_failcount': 1000})
        p = lt.add_torrent_params(); p.ti = lt.torrent_info(torrent); p.save_path = save_path; p.flags = lt.torrent_flags.seed_mode
        s.add_torrent(p)
        while s.listen_port() == 0: time.sleep(0.05)
        print('READY %d' % s.listen_port(), flush=True)
        while True: time.sleep(1)
        """;

    private const string Downloader = """
        import sys, time
        import libtorrent as lt
        torrent, save_path, ip = sys.argv[1], sys.argv[2], sys.argv[3]
        s = lt.session({'listen_interfaces': '%s:0' % ip, 'outgoing_interfaces': ip, 'enable_upnp': False,
            'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False, 'dht_bootstrap_nodes': '',
            'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'allow_multiple_connections_per_ip': True,
            'max_failcount': 1000})
        p = lt.add_torrent_params(); p.ti = lt.torrent_info(torrent); p.save_path = save_path
        h = s.add_torrent(p)
        for peer in sys.argv[4:]:
            host, port = peer.rsplit(':', 1)
            h.connect_peer((host, int(port)))
        while not h.status().is_seeding: time.sleep(0.02)
        """;

    /// <summary>seed.py: <c>torrent save_path ip port</c>.</summary>
    public static string SeederPath(string root) => Write(root, "seed.py", Seeder);

    /// <summary>download.py: <c>torrent save_path ip peer...</c>.</summary>
    public static string DownloaderPath(string root) => Write(root, "download.py", Downloader);

    private static string Write(string root, string name, string text)
    {
        var path = Path.Combine(root, name);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, text.Replace("\r\n", "\n"));
        }

        return path;
    }
}
