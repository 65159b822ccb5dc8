using System.Net;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>Reads bencoded HTTP tracker answers: BEP 3 announce (compact BEP 23, dictionary model, BEP 7 peers6) and scrape.</summary>
internal static class HttpTrackerResponseParser
{
    /// <summary>Used when a tracker gives no usable <c>interval</c>.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(30);

    private static readonly BencodeReaderOptions Limits = new() { MaxDepth = 8, MaxValueCount = 1_000_000 };

    public static AnnounceResponse ParseAnnounce(string trackerUrl, ReadOnlyMemory<byte> body)
    {
        var dict = DecodeBody(trackerUrl, body);
        ThrowOnFailure(trackerUrl, dict);
        var peers = new List<IPEndPoint>();
        if (dict.TryGetValue("peers", out var peersValue))
        {
            switch (peersValue)
            {
                case BencodeString compact:
                    if (!CompactPeers.Read(compact.Span, CompactPeers.IPv4EntryLength, peers))
                    {
                        throw new TrackerFailedException(trackerUrl, $"malformed response: compact 'peers' is {compact.Length} bytes, not a multiple of 6");
                    }

                    break;
                case BencodeList list:
                    ReadDictionaryPeers(list, peers);
                    break;
                default:
                    throw new TrackerFailedException(trackerUrl, "malformed response: 'peers' is neither a string nor a list");
            }
        }

        if (dict.TryGetValue("peers6", out var peers6Value))
        {
            if (peers6Value is not BencodeString compact6 || !CompactPeers.Read(compact6.Span, CompactPeers.IPv6EntryLength, peers))
            {
                throw new TrackerFailedException(trackerUrl, "malformed response: 'peers6' is not a string of 18-byte entries");
            }
        }

        return new AnnounceResponse
        {
            Interval = Seconds(dict.Get<BencodeInteger>("interval")) ?? DefaultInterval,
            MinInterval = Seconds(dict.Get<BencodeInteger>("min interval")),
            Seeders = NonNegative(dict.Get<BencodeInteger>("complete")),
            Leechers = NonNegative(dict.Get<BencodeInteger>("incomplete")),
            TrackerId = dict.Get<BencodeString>("tracker id")?.Text,
            WarningMessage = dict.Get<BencodeString>("warning message")?.Text,
            Peers = peers,
        };
    }

    /// <summary>Reads a scrape answer and picks the counts of <paramref name="infoHash"/>.</summary>
    public static ScrapeResponse ParseScrape(string trackerUrl, ReadOnlyMemory<byte> body, InfoHash infoHash)
    {
        var dict = DecodeBody(trackerUrl, body);
        ThrowOnFailure(trackerUrl, dict);
        var files = dict.Get<BencodeDictionary>("files")
            ?? throw new TrackerFailedException(trackerUrl, "malformed scrape response: no 'files' dictionary");
        if (!files.TryGetValue(infoHash.AsSpan(), out var entry) || entry is not BencodeDictionary counts)
        {
            throw new TrackerFailedException(trackerUrl, $"the scrape response does not list the torrent {infoHash}");
        }

        return new ScrapeResponse(
            NonNegative(counts.Get<BencodeInteger>("complete")) ?? 0,
            NonNegative(counts.Get<BencodeInteger>("incomplete")) ?? 0,
            NonNegative(counts.Get<BencodeInteger>("downloaded")) ?? 0);
    }

    private static BencodeDictionary DecodeBody(string trackerUrl, ReadOnlyMemory<byte> body)
    {
        try
        {
            return BencodeDecoder.DecodeDictionary(body, Limits);
        }
        catch (BencodeException ex)
        {
            throw new TrackerFailedException(trackerUrl, $"malformed response: {ex.Message}", ex);
        }
    }

    private static void ThrowOnFailure(string trackerUrl, BencodeDictionary dict)
    {
        if (dict.TryGetValue("failure reason", out var failure))
        {
            var text = failure is BencodeString s ? s.Text : "(no text)";
            throw new TrackerFailedException(trackerUrl, text);
        }
    }

    private static void ReadDictionaryPeers(BencodeList list, List<IPEndPoint> peers)
    {
        foreach (var item in list)
        {
            if (item is not BencodeDictionary peer
                || peer.Get<BencodeString>("ip") is not { } ip
                || peer.Get<BencodeInteger>("port") is not { Value: > 0 and <= 65535 } port)
            {
                continue;
            }

            // The dictionary model may carry a host name; only literal addresses are usable here.
            if (IPAddress.TryParse(ip.Text, out var address))
            {
                peers.Add(new IPEndPoint(address, (int)port.Value));
            }
        }
    }

    private static TimeSpan? Seconds(BencodeInteger? value)
        => value is { Value: > 0 } v ? TimeSpan.FromSeconds(Math.Min(v.Value, (long)TimeSpan.FromDays(7).TotalSeconds)) : null;

    private static long? NonNegative(BencodeInteger? value) => value is { Value: >= 0 } v ? v.Value : null;
}
