using System.Globalization;
using System.Net;
using TorrentPS.Engine.Metainfo;
using System.Text.Json;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// transmission-cli 3.00 downloading a test torrent on its own 127.0.0.x, configured like <see cref="TransmissionSeeder"/>
/// (no DHT, LPD, PEX, uTP or port forwarding; plaintext). It drops every 127.x peer a tracker names, so it downloads
/// only from peers that dial it; its <c>-f</c> script leaves a marker when the download completes.
/// </summary>
public sealed class TransmissionDownloader : IDownloader
{
    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;
    private readonly CompletionMarker _marker;

    private TransmissionDownloader(ExternalProcess process, TempDirectory folder, CompletionMarker marker, IPEndPoint endPoint, string downloadPath)
    {
        _process = process;
        _folder = folder;
        _marker = marker;
        EndPoint = endPoint;
        DownloadPath = downloadPath;
    }

    public IPEndPoint EndPoint { get; }

    public string DownloadPath { get; }

    public string Output => _process.Output;

    /// <summary>Starts downloading and returns once it answers handshakes (it starts slowly), ready to be dialled.</summary>
    public static async Task<TransmissionDownloader> StartAsync(TorrentInfo torrent)
    {
        var folder = new TempDirectory("tps-tr-down");
        try
        {
            var save = folder.Combine("save");
            var config = folder.Combine("config");
            Directory.CreateDirectory(save);
            Directory.CreateDirectory(config);
            var marker = new CompletionMarker(folder.Path);
            var address = Loopback.NextAddress();
            var port = Loopback.FreePort(address);
            var settings = new Dictionary<string, object>
            {
                ["bind-address-ipv4"] = address.ToString(),
                ["bind-address-ipv6"] = "::1",
                ["peer-port"] = port,
                ["peer-port-random-on-start"] = false,
                ["dht-enabled"] = false,
                ["lpd-enabled"] = false,
                ["pex-enabled"] = false,
                ["utp-enabled"] = false,
                ["port-forwarding-enabled"] = false,
                ["encryption"] = 0,
                ["ratio-limit-enabled"] = false,
                ["download-dir"] = save,
                ["message-level"] = 1,
            };
            await File.WriteAllTextAsync(Path.Combine(config, "settings.json"), JsonSerializer.Serialize(settings));
            var process = ExternalProcess.Start("transmission-cli",
            [
                "-g", config, "-w", save, "-p", port.ToString(CultureInfo.InvariantCulture), "-et", "-M", "-f", marker.ScriptPath, torrent.SourcePath!,
            ]);
            var endPoint = new IPEndPoint(address, port);
            try
            {
                await SeederReadiness.WaitAsync(endPoint, torrent.InfoHash, process, TimeSpan.FromSeconds(40));
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }

            return new TransmissionDownloader(process, folder, marker, endPoint, Path.Combine(save, torrent.Name));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task WaitFinishedAsync(TimeSpan timeout) => _marker.WaitAsync(_process, "transmission-cli", timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
