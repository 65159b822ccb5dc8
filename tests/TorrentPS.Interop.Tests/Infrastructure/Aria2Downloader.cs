using System.Globalization;
using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// aria2c 1.36 downloading a test torrent on its own 127.0.0.x (INTEROP.md's downloader flags: no DHT, LPD or PEX, no
/// seeding afterwards). It learns of peers only from the torrent's tracker or when they dial it; its completion hook
/// leaves a marker.
/// </summary>
public sealed class Aria2Downloader : IDownloader
{
    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;
    private readonly CompletionMarker _marker;

    private Aria2Downloader(ExternalProcess process, TempDirectory folder, CompletionMarker marker, IPEndPoint endPoint, string downloadPath)
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

    /// <summary>Starts downloading and returns once it answers handshakes (so a seeder can dial it).</summary>
    public static async Task<Aria2Downloader> StartAsync(TorrentInfo torrent)
    {
        var folder = new TempDirectory("tps-aria2-down");
        try
        {
            var save = folder.Combine("save");
            Directory.CreateDirectory(save);
            var marker = new CompletionMarker(folder.Path);
            var address = Loopback.NextAddress();
            var port = Loopback.FreePort(address);
            var process = ExternalProcess.Start("aria2c",
            [
                "--seed-time=0", "--file-allocation=none", "--bt-hash-check-seed=false", $"--dir={save}",
                $"--interface={address}", $"--listen-port={port.ToString(CultureInfo.InvariantCulture)}",
                "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                "--disable-ipv6=true", "--summary-interval=0", "--console-log-level=warn",
                "--bt-tracker-connect-timeout=2", "--bt-tracker-timeout=2", $"--on-bt-download-complete={marker.ScriptPath}",
                torrent.SourcePath!,
            ]);
            var endPoint = new IPEndPoint(address, port);
            try
            {
                await SeederReadiness.WaitAsync(endPoint, torrent.InfoHash, process, TimeSpan.FromSeconds(30));
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }

            return new Aria2Downloader(process, folder, marker, endPoint, Path.Combine(save, torrent.Name));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task WaitFinishedAsync(TimeSpan timeout) => _marker.WaitAsync(_process, "aria2c", timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
