using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// The HttpClient tracker requests go through: no automatic redirects (the client bounds its own), no cookies, and a
/// new connection for every request.
/// </summary>
internal static class TrackerHttp
{
    public static HttpClient CreateClient(IPAddress? localAddress = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            // No connection is kept between requests (announces are minutes apart): trackers such as opentracker
            // answer HTTP/1.1 without "Connection: close" yet hang up, so a request sent on a kept connection
            // (a "stopped" right after "started") was reset. Zero is the handler's "use a connection once".
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(localAddress, context.DnsEndPoint, cancellationToken);
        }

        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"TorrentPS/{typeof(TrackerHttp).Assembly.GetName().Version?.ToString(3) ?? "0.1.0"}");
        return client;
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress localAddress, DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var remote = addresses.FirstOrDefault(a => a.AddressFamily == localAddress.AddressFamily)
            ?? throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
            await socket.ConnectAsync(new IPEndPoint(remote, endPoint.Port), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
