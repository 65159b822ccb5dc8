using System.Net;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>A reference client downloading a test torrent on its own loopback address; disposing it stops the client.</summary>
public interface IDownloader : IAsyncDisposable
{
    /// <summary>Where it listens (our seeder may dial it there).</summary>
    IPEndPoint EndPoint { get; }

    /// <summary>The file it downloads to.</summary>
    string DownloadPath { get; }

    /// <summary>What it printed, for failure messages.</summary>
    string Output { get; }

    /// <summary>Waits until it says it has every piece; fails with its output when it exits first or takes too long.</summary>
    Task WaitFinishedAsync(TimeSpan timeout);
}
