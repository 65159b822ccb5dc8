using System.Net;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>A reference client seeding a test torrent on its own loopback address; disposing it stops the client.</summary>
public interface ISeeder : IAsyncDisposable
{
    IPEndPoint EndPoint { get; }

    /// <summary>What the client printed, for failure messages.</summary>
    string Output { get; }
}
