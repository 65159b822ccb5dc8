using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Transfers;

/// <summary><c>-Peer</c> values (<c>ip:port</c>, <c>[ipv6]:port</c>, <c>host:port</c>, or TorrentPeer objects, which bind as their address) to endpoints.</summary>
internal static class PeerAddresses
{
    /// <exception cref="TorrentPSException"><c>InvalidPeerAddress</c>, naming the value.</exception>
    public static async Task<IPEndPoint> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        try
        {
            return await PeerEndPoint.ResolveAsync(address ?? string.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new TorrentPSException("InvalidPeerAddress", TorrentErrorKind.InvalidArgument, ex.Message, ex);
        }
    }

    /// <summary>Every address, in order, without repeats.</summary>
    public static async Task<IReadOnlyList<IPEndPoint>> ResolveAllAsync(IEnumerable<string> addresses, CancellationToken cancellationToken)
    {
        var endPoints = new List<IPEndPoint>();
        foreach (var address in addresses)
        {
            var endPoint = await ResolveAsync(address, cancellationToken).ConfigureAwait(false);
            if (!endPoints.Contains(endPoint))
            {
                endPoints.Add(endPoint);
            }
        }

        return endPoints;
    }
}
