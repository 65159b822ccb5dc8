using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Reads peer addresses written as <c>ip:port</c>, <c>[ipv6]:port</c> or <c>host:port</c>: a magnet link's <c>x.pe</c>,
/// <c>-Address</c> of Invoke-PeerHandshake, <c>tps handshake</c>'s argument. The one parser of them (in Metainfo, below
/// Swarm, as magnet links need it).
/// </summary>
public static class PeerEndPoint
{
    /// <summary>Parses an IP address and port (no name resolution).</summary>
    internal static bool TryParse(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (!TrySplit(text, out var host, out var port) || !IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        endPoint = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
        return true;
    }

    /// <summary>Parses <paramref name="text"/>, resolving a host name when it is not an IP address.</summary>
    /// <exception cref="FormatException">Not <c>host:port</c>, or the name does not resolve.</exception>
    public static async Task<IPEndPoint> ResolveAsync(string text, CancellationToken cancellationToken = default)
    {
        if (TryParse(text, out var endPoint))
        {
            return endPoint;
        }

        if (!TrySplit(text, out var host, out var port))
        {
            throw new FormatException($"'{text}' is not a peer address: expected <ip>:<port>, [<ipv6>]:<port> or <host>:<port> with a port from 1 to 65535.");
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new FormatException($"The peer host '{host}' does not resolve: {ex.Message}", ex);
        }

        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"The peer host '{host}' has no address.");
        return new IPEndPoint(address, port);
    }

    private static bool TrySplit(string? text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        host = text[..colon];
        if (host.StartsWith('['))
        {
            if (!host.EndsWith(']'))
            {
                return false;
            }

            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            return false; // a bare IPv6 address needs brackets
        }

        return int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535 && host.Length > 0;
    }
}
