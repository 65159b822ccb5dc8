using System.Globalization;
using System.Text;

using TorrentPS.Engine.Peers;
namespace TorrentPS.Engine.Trackers;

/// <summary>Builds HTTP tracker request URLs: the BEP 3 announce query and the scrape convention.</summary>
internal static class HttpTrackerUrl
{
    /// <summary>The announce URL with BEP 3's query; binary values are percent-encoded byte by byte.</summary>
    public static string BuildAnnounce(string announceUrl, AnnounceRequest request, string? trackerId)
    {
        var builder = new StringBuilder(announceUrl);
        builder.Append(announceUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        builder.Append("info_hash=");
        AppendPercentEncoded(builder, request.InfoHash.AsSpan());
        builder.Append("&peer_id=");
        AppendPercentEncoded(builder, request.PeerId.AsSpan());
        builder.Append(CultureInfo.InvariantCulture, $"&port={request.Port}");
        builder.Append(CultureInfo.InvariantCulture, $"&uploaded={Math.Max(0, request.Uploaded)}");
        builder.Append(CultureInfo.InvariantCulture, $"&downloaded={Math.Max(0, request.Downloaded)}");
        builder.Append(CultureInfo.InvariantCulture, $"&left={Math.Max(0, request.Left)}");
        builder.Append("&compact=1");
        if (request.Event != TrackerEvent.None)
        {
            builder.Append("&event=").Append(request.Event switch
            {
                TrackerEvent.Started => "started",
                TrackerEvent.Completed => "completed",
                _ => "stopped",
            });
        }

        if (request.NumWant >= 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"&numwant={request.NumWant}");
        }

        builder.Append(CultureInfo.InvariantCulture, $"&key={request.Key:x8}");
        if (!string.IsNullOrEmpty(trackerId))
        {
            builder.Append("&trackerid=");
            AppendPercentEncoded(builder, Encoding.UTF8.GetBytes(trackerId));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The scrape URL by the convention every HTTP tracker follows: the last path segment must begin with
    /// <c>announce</c>, which becomes <c>scrape</c>. Null when the tracker has no scrape URL by that rule.
    /// </summary>
    public static string? TryGetScrapeUrl(string announceUrl)
    {
        var queryStart = announceUrl.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? announceUrl : announceUrl[..queryStart];
        var slash = path.LastIndexOf('/');
        if (slash < 0 || !path.AsSpan(slash + 1).StartsWith("announce", StringComparison.Ordinal))
        {
            return null;
        }

        return string.Concat(path.AsSpan(0, slash + 1), "scrape", announceUrl.AsSpan(slash + 1 + "announce".Length));
    }

    /// <summary>The scrape URL with <c>info_hash</c> appended.</summary>
    public static string BuildScrape(string scrapeUrl, ReadOnlySpan<byte> infoHash)
    {
        var builder = new StringBuilder(scrapeUrl);
        builder.Append(scrapeUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        builder.Append("info_hash=");
        AppendPercentEncoded(builder, infoHash);
        return builder.ToString();
    }

    /// <summary>RFC 3986: unreserved characters stay, every other byte becomes %XX.</summary>
    public static void AppendPercentEncoded(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        const string hex = "0123456789ABCDEF";
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(hex[b >> 4]).Append(hex[b & 15]);
            }
        }
    }
}
