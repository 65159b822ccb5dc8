using System.Globalization;
using System.Text.Json;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// transmission-cli 3.00 as a downloader, configured like <see cref="TransmissionSeeder"/> (no DHT, LPD, PEX, uTP or
/// port forwarding; plaintext). It drops every 127.x peer a tracker names, so it downloads only from peers that dial
/// it; its <c>-f</c> script leaves the marker. It starts slowly.
/// </summary>
public static class TransmissionDownloader
{
    public static Task<MarkedDownloader> StartAsync(TorrentInfo torrent)
        => MarkedDownloader.StartAsync("transmission-cli", torrent, async setup =>
        {
            var config = setup.Folder.Combine("config");
            Directory.CreateDirectory(config);
            var settings = new Dictionary<string, object>
            {
                ["bind-address-ipv4"] = setup.EndPoint.Address.ToString(),
                ["bind-address-ipv6"] = "::1",
                ["peer-port"] = setup.EndPoint.Port,
                ["peer-port-random-on-start"] = false,
                ["dht-enabled"] = false,
                ["lpd-enabled"] = false,
                ["pex-enabled"] = false,
                ["utp-enabled"] = false,
                ["port-forwarding-enabled"] = false,
                ["encryption"] = 0,
                ["ratio-limit-enabled"] = false,
                ["download-dir"] = setup.SaveFolder,
                ["message-level"] = 1,
            };
            await File.WriteAllTextAsync(Path.Combine(config, "settings.json"), JsonSerializer.Serialize(settings));
            return ExternalProcess.Start("transmission-cli",
            [
                "-g", config, "-w", setup.SaveFolder, "-p", setup.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "-et", "-M", "-f", setup.Marker.ScriptPath, torrent.SourcePath!,
            ]);
        }, TimeSpan.FromSeconds(40));
}
