using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A reference client downloading into a folder of its own on its own 127.0.0.x, that says it is done through a
/// <see cref="CompletionMarker"/> hook (aria2, transmission). Started by <see cref="StartAsync"/>, which returns once
/// the client answers handshakes for the torrent (so a seeder can dial it).
/// </summary>
public sealed class MarkedDownloader : IDownloader
{
    private readonly string _client;
    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;
    private readonly CompletionMarker _marker;

    private MarkedDownloader(string client, ExternalProcess process, TempDirectory folder, CompletionMarker marker, IPEndPoint endPoint, string downloadPath)
    {
        _client = client;
        _process = process;
        _folder = folder;
        _marker = marker;
        EndPoint = endPoint;
        DownloadPath = downloadPath;
    }

    public IPEndPoint EndPoint { get; }

    public string DownloadPath { get; }

    public string Output => _process.Output;

    /// <summary>What <see cref="StartAsync"/> gives the client's start: where it listens and saves, and its hook.</summary>
    public sealed record Setup(IPEndPoint EndPoint, string SaveFolder, TempDirectory Folder, CompletionMarker Marker);

    /// <param name="client">Its name, for messages.</param>
    /// <param name="start">Starts the client as <paramref name="torrent"/>'s downloader with the given setup.</param>
    /// <param name="readiness">How long it may take to answer a handshake.</param>
    public static async Task<MarkedDownloader> StartAsync(string client, TorrentInfo torrent, Func<Setup, Task<ExternalProcess>> start, TimeSpan readiness)
    {
        var folder = new TempDirectory($"tps-{client}-down");
        try
        {
            var save = folder.Combine("save");
            Directory.CreateDirectory(save);
            var address = Loopback.NextAddress();
            var setup = new Setup(new IPEndPoint(address, Loopback.FreePort(address)), save, folder, new CompletionMarker(folder.Path));
            var process = await start(setup);
            try
            {
                await SeederReadiness.WaitAsync(setup.EndPoint, torrent.Hash, process, readiness);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }

            return new MarkedDownloader(client, process, folder, setup.Marker, setup.EndPoint, Path.Combine(save, torrent.Name));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task WaitFinishedAsync(TimeSpan timeout) => _marker.WaitAsync(_process, _client, timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
