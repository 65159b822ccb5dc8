using System.Globalization;
using System.Text;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>
/// A BEP 14 local discovery announce: an HTTP-like request in one UDP datagram,
/// <code>
/// BT-SEARCH * HTTP/1.1\r\n
/// Host: 239.192.152.143:6771\r\n
/// Port: 6881\r\n
/// Infohash: &lt;40 hex digits&gt;\r\n      (one or more)
/// cookie: &lt;opaque&gt;\r\n              (optional: lets a sender spot its own announces)
/// \r\n
/// \r\n
/// </code>
/// Reading is strict and bounded, as any host on the network may send anything to the group: at most
/// <see cref="MaxDatagramLength"/> bytes of printable ASCII; the request line exactly as above; <c>Host</c> and
/// <c>Port</c> exactly once, a port from 1 to 65535 in at most five digits; at least one <c>Infohash</c> of 40 hex digits
/// (repeats are read once); <c>cookie</c> at most once; header names in any case (HTTP), unknown headers ignored (BEP 14
/// asks for that); lines end in CRLF or LF; after the empty line that ends the headers only line ends may follow.
/// </summary>
internal sealed class BtSearchMessage
{
    /// <summary>The longest datagram read. BEP 14 asks senders to stay below 1400 bytes; this leaves room for extra headers.</summary>
    public const int MaxDatagramLength = 2048;

    /// <summary>The longest datagram written (BEP 14: below 1400 bytes, to avoid fragmentation).</summary>
    public const int MaxWrittenLength = 1400;

    /// <summary>The longest <c>Host</c> value accepted (a bracketed IPv6 address and a port need 47).</summary>
    public const int MaxHostLength = 64;

    /// <summary>The longest cookie accepted.</summary>
    public const int MaxCookieLength = 64;

    private const string RequestLine = "BT-SEARCH * HTTP/1.1";

    public BtSearchMessage(string host, int port, IReadOnlyList<InfoHash> infoHashes, string? cookie = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentNullException.ThrowIfNull(infoHashes);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (infoHashes.Count == 0)
        {
            throw new ArgumentException("An announce names at least one torrent.", nameof(infoHashes));
        }

        if (!IsToken(host, MaxHostLength) || (cookie is not null && !IsToken(cookie, MaxCookieLength)))
        {
            throw new ArgumentException("The host and the cookie are short runs of printable ASCII without spaces.");
        }

        Host = host;
        Port = port;
        InfoHashes = infoHashes;
        Cookie = cookie;
    }

    /// <summary>The group the announce was sent to, as the sender wrote it (<c>239.192.152.143:6771</c>).</summary>
    public string Host { get; }

    /// <summary>The port the sender listens on for BitTorrent connections.</summary>
    public int Port { get; }

    /// <summary>The torrents the sender takes part in (no repeats).</summary>
    public IReadOnlyList<InfoHash> InfoHashes { get; }

    /// <summary>The sender's cookie, when it sent one.</summary>
    public string? Cookie { get; }

    /// <summary>How long an announce of <paramref name="count"/> torrents is.</summary>
    public static int LengthOf(string host, string? cookie, int count)
        => RequestLine.Length + 2
           + "Host: ".Length + host.Length + 2
           + "Port: 65535".Length + 2
           + (count * ("Infohash: ".Length + 40 + 2))
           + (cookie is null ? 0 : "cookie: ".Length + cookie.Length + 2)
           + 4;

    /// <summary>How many torrents fit in one announce of at most <see cref="MaxWrittenLength"/> bytes.</summary>
    public static int MaxInfoHashes(string host, string? cookie)
        => (MaxWrittenLength - LengthOf(host, cookie, 0)) / ("Infohash: ".Length + 40 + 2);

    /// <summary>The datagram, in the layout libtorrent and others send (two empty lines at the end).</summary>
    /// <exception cref="InvalidOperationException">More torrents than fit in <see cref="MaxWrittenLength"/> bytes.</exception>
    public byte[] ToArray()
    {
        if (LengthOf(Host, Cookie, InfoHashes.Count) > MaxWrittenLength)
        {
            throw new InvalidOperationException($"{InfoHashes.Count} torrents do not fit in one announce; at most {MaxInfoHashes(Host, Cookie)} do.");
        }

        var text = new StringBuilder(LengthOf(Host, Cookie, InfoHashes.Count));
        text.Append(RequestLine).Append("\r\n");
        text.Append("Host: ").Append(Host).Append("\r\n");
        text.Append("Port: ").Append(Port.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var hash in InfoHashes)
        {
            text.Append("Infohash: ").Append(hash.Hex).Append("\r\n");
        }

        if (Cookie is not null)
        {
            text.Append("cookie: ").Append(Cookie).Append("\r\n");
        }

        text.Append("\r\n\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>Reads a datagram.</summary>
    /// <exception cref="InvalidLocalDiscoveryMessageException">It is not a BT-SEARCH announce by the rules in the class summary.</exception>
    public static BtSearchMessage Parse(ReadOnlySpan<byte> datagram)
        => TryParse(datagram, out var message, out var error) ? message : throw new InvalidLocalDiscoveryMessageException(error);

    /// <summary>Reads a datagram; false with the reason when it is not a BT-SEARCH announce.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out BtSearchMessage message, out string error)
    {
        message = null!;
        if (datagram.Length > MaxDatagramLength)
        {
            error = $"{datagram.Length} bytes (at most {MaxDatagramLength} are read)";
            return false;
        }

        foreach (var b in datagram)
        {
            if (b is not ((>= 0x20 and < 0x7f) or (byte)'\r' or (byte)'\n' or (byte)'\t'))
            {
                error = $"byte 0x{b:x2} (only printable ASCII is allowed)";
                return false;
            }
        }

        string? host = null;
        string? cookie = null;
        int? port = null;
        var hashes = new List<InfoHash>();
        var rest = datagram;
        var lineNumber = 0;
        var ended = false;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlySpan<byte>.Empty : rest[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IndexOf((byte)'\r') >= 0)
            {
                error = $"a carriage return inside line {lineNumber + 1}";
                return false;
            }

            lineNumber++;
            if (ended)
            {
                if (!line.IsEmpty)
                {
                    error = "text after the empty line that ends the headers";
                    return false;
                }

                continue;
            }

            if (lineNumber == 1)
            {
                if (!line.SequenceEqual("BT-SEARCH * HTTP/1.1"u8))
                {
                    error = $"the first line is '{Describe(line)}', not '{RequestLine}'";
                    return false;
                }

                continue;
            }

            if (line.IsEmpty)
            {
                ended = true;
                continue;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                error = $"line {lineNumber} is not a header ('{Describe(line)}')";
                return false;
            }

            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(' ', '\t');
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                if (host is not null || !IsToken(value, MaxHostLength))
                {
                    error = host is not null ? "two Host headers" : $"the Host '{Describe(value)}' is empty, too long or has spaces";
                    return false;
                }

                host = value;
            }
            else if (name.Equals("Port", StringComparison.OrdinalIgnoreCase))
            {
                if (port is not null)
                {
                    error = "two Port headers";
                    return false;
                }

                if (value.Length is 0 or > 5 || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
                {
                    error = $"the Port '{Describe(value)}' is not a number from 1 to 65535";
                    return false;
                }

                port = number;
            }
            else if (name.Equals("Infohash", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length != 40 || !InfoHash.TryParse(value, out var hash))
                {
                    error = $"the Infohash '{Describe(value)}' is not 40 hex digits";
                    return false;
                }

                if (!hashes.Contains(hash))
                {
                    hashes.Add(hash);
                }
            }
            else if (name.Equals("cookie", StringComparison.OrdinalIgnoreCase))
            {
                if (cookie is not null || !IsToken(value, MaxCookieLength))
                {
                    error = cookie is not null ? "two cookie headers" : $"the cookie '{Describe(value)}' is empty, too long or has spaces";
                    return false;
                }

                cookie = value;
            }
            else if (!IsToken(name, 64))
            {
                error = $"the header name '{Describe(name)}' is not a token";
                return false;
            }
        }

        if (lineNumber == 0)
        {
            error = "an empty datagram";
            return false;
        }

        if (host is null || port is null || hashes.Count == 0)
        {
            error = host is null ? "no Host header" : port is null ? "no Port header" : "no Infohash header";
            return false;
        }

        message = new BtSearchMessage(host, port.Value, hashes, cookie);
        error = string.Empty;
        return true;
    }

    public override string ToString() => $"BT-SEARCH from port {Port} for {InfoHashes.Count} torrent(s)";

    /// <summary>Printable ASCII without spaces, 1 to <paramref name="maxLength"/> characters.</summary>
    private static bool IsToken(string text, int maxLength)
    {
        if (text.Length == 0 || text.Length > maxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is <= ' ' or >= (char)0x7f)
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(ReadOnlySpan<byte> text) => Describe(Encoding.ASCII.GetString(text[..Math.Min(text.Length, 48)]));

    private static string Describe(string text) => text.Length > 48 ? text[..48] + "…" : text.Replace('\t', ' ');
}
