using System.Globalization;
using System.Text.Json;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// Asks the real libtorrent which pieces of a torrent's data are valid: it adds the torrent (not in seed mode, so it
/// hashes what is on disk), waits for the check to end, prints the pieces it has and removes the torrent before it
/// could write anything. Settings per INTEROP.md: loopback only, no UPnP, NAT-PMP, LSD or DHT.
/// </summary>
public static class LibtorrentCheck
{
    private const string Marker = "TPSPIECES:";

    private const string Script = """
        import json, sys, time
        import libtorrent as lt
        torrent, save_path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        session = lt.session({
            'listen_interfaces': '%s:%d' % (ip, port), 'outgoing_interfaces': ip,
            'enable_upnp': False, 'enable_natpmp': False, 'enable_lsd': False, 'enable_dht': False,
            'dht_bootstrap_nodes': '', 'enable_outgoing_utp': False, 'enable_incoming_utp': False,
        })
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = save_path
        params.flags = params.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
        handle = session.add_torrent(params)
        checking = (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data)
        deadline = time.time() + 60
        while time.time() < deadline:
            status = handle.status(lt.status_flags_t.query_pieces)
            if status.state not in checking and status.has_metadata:
                break
            time.sleep(0.05)
        handle.pause()
        session.remove_torrent(handle)
        print('TPSPIECES:' + json.dumps([bool(p) for p in status.pieces]), flush=True)
        """;

    /// <summary>The pieces libtorrent finds valid in <paramref name="savePath"/> (the folder that holds the content).</summary>
    public static async Task<bool[]> ValidPiecesAsync(string torrentPath, string savePath)
    {
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        var output = await ExternalProcess.RunAsync(
            LibtorrentMetainfo.Python,
            ["-c", Script, torrentPath, savePath, address.ToString(), port.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(90));
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"libtorrent printed no pieces:\n{output}");
        return JsonSerializer.Deserialize<bool[]>(line[Marker.Length..]) ?? throw new InvalidOperationException(output);
    }
}
