using System.Globalization;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// aria2c 1.36 as a downloader (INTEROP.md's downloader flags: no DHT, LPD or PEX, no seeding afterwards). It learns of
/// peers only from the torrent's tracker or when they dial it; its completion hook leaves the marker.
/// </summary>
public static class Aria2Downloader
{
    public static Task<MarkedDownloader> StartAsync(TorrentInfo torrent)
        => MarkedDownloader.StartAsync("aria2c", torrent, setup => Task.FromResult(ExternalProcess.Start("aria2c",
        [
            "--seed-time=0", "--file-allocation=none", "--bt-hash-check-seed=false", $"--dir={setup.SaveFolder}",
            $"--interface={setup.EndPoint.Address}", $"--listen-port={setup.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}",
            "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--disable-ipv6=true", "--summary-interval=0", "--console-log-level=warn",
            "--bt-tracker-connect-timeout=2", "--bt-tracker-timeout=2", $"--on-bt-download-complete={setup.Marker.ScriptPath}",
            torrent.SourcePath!,
        ])), TimeSpan.FromSeconds(30));
}
