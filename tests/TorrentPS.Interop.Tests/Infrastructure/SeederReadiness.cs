using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>Waits until a seeder answers a real handshake for its torrent (it listens and has loaded the torrent).</summary>
internal static class SeederReadiness
{
    public static async Task WaitAsync(IPEndPoint endPoint, InfoHash infoHash, ExternalProcess process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var options = new HandshakeOptions { ExchangeExtensionHandshake = false, LocalAddress = Loopback.NextAddress() }.WithTimeout(TimeSpan.FromSeconds(2));
        PeerException? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The seeder exited:\n{process.Output}");
            }

            try
            {
                await using var connection = await PeerConnection.ConnectAsync(endPoint, infoHash, options);
                return;
            }
            catch (PeerException ex)
            {
                last = ex;
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"The seeder on {endPoint} did not answer a handshake within {timeout} ({last?.Message}):\n{process.Output}");
    }
}
