using System.Buffers.Binary;
using System.Net;
using System.Text;

using TorrentPS.Engine.Peers;
namespace TorrentPS.Engine.Trackers;

/// <summary>BEP 15 packets: building requests and reading answers. All integers are big-endian.</summary>
internal static class UdpTrackerProtocol
{
    /// <summary>The magic connection id of a connect request.</summary>
    public const long ProtocolId = 0x41727101980;

    public const int ActionConnect = 0;
    public const int ActionAnnounce = 1;
    public const int ActionScrape = 2;
    public const int ActionError = 3;

    public const int ConnectRequestLength = 16;
    public const int ConnectResponseLength = 16;
    public const int AnnounceRequestLength = 98;
    public const int AnnounceResponseMinLength = 20;
    public const int ScrapeResponseEntryLength = 12;

    /// <summary>The header every answer starts with: action, then the transaction id.</summary>
    public const int ResponseHeaderLength = 8;

    public static void WriteConnect(Span<byte> buffer, int transactionId)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer, ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(buffer[8..], ActionConnect);
        BinaryPrimitives.WriteInt32BigEndian(buffer[12..], transactionId);
    }

    public static void WriteAnnounce(Span<byte> buffer, long connectionId, int transactionId, AnnounceRequest request)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(buffer[8..], ActionAnnounce);
        BinaryPrimitives.WriteInt32BigEndian(buffer[12..], transactionId);
        request.InfoHash.AsSpan().CopyTo(buffer[16..36]);
        request.PeerId.AsSpan().CopyTo(buffer[36..56]);
        BinaryPrimitives.WriteInt64BigEndian(buffer[56..], Math.Max(0, request.Downloaded));
        BinaryPrimitives.WriteInt64BigEndian(buffer[64..], Math.Max(0, request.Left));
        BinaryPrimitives.WriteInt64BigEndian(buffer[72..], Math.Max(0, request.Uploaded));
        BinaryPrimitives.WriteInt32BigEndian(buffer[80..], (int)request.Event);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[84..], 0); // IP address: the one the packet comes from
        BinaryPrimitives.WriteUInt32BigEndian(buffer[88..], request.Key);
        BinaryPrimitives.WriteInt32BigEndian(buffer[92..], request.NumWant < 0 ? -1 : request.NumWant);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[96..], (ushort)request.Port);
    }

    public static int ScrapeRequestLength(int hashCount) => 16 + (20 * hashCount);

    public static void WriteScrape(Span<byte> buffer, long connectionId, int transactionId, ReadOnlySpan<byte> infoHash)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(buffer[8..], ActionScrape);
        BinaryPrimitives.WriteInt32BigEndian(buffer[12..], transactionId);
        infoHash.CopyTo(buffer[16..]);
    }

    /// <summary>Reads the action and transaction id; false for a datagram too short to have them.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> datagram, out int action, out int transactionId)
    {
        if (datagram.Length < ResponseHeaderLength)
        {
            action = transactionId = 0;
            return false;
        }

        action = BinaryPrimitives.ReadInt32BigEndian(datagram);
        transactionId = BinaryPrimitives.ReadInt32BigEndian(datagram[4..]);
        return true;
    }

    /// <summary>The smallest well-formed answer to a request of <paramref name="action"/>.</summary>
    public static int MinimumResponseLength(int action) => action switch
    {
        ActionConnect => ConnectResponseLength,
        ActionAnnounce => AnnounceResponseMinLength,
        ActionScrape => ResponseHeaderLength + ScrapeResponseEntryLength,
        _ => ResponseHeaderLength,
    };

    public static long ReadConnectionId(ReadOnlySpan<byte> connectResponse) => BinaryPrimitives.ReadInt64BigEndian(connectResponse[8..]);

    /// <summary>Reads an announce answer; peers are 6-byte entries over IPv4, 18-byte entries over IPv6.</summary>
    public static AnnounceResponse ReadAnnounce(ReadOnlySpan<byte> response, bool ipv6)
    {
        var interval = BinaryPrimitives.ReadInt32BigEndian(response[8..]);
        var leechers = BinaryPrimitives.ReadInt32BigEndian(response[12..]);
        var seeders = BinaryPrimitives.ReadInt32BigEndian(response[16..]);
        var peers = new List<IPEndPoint>();
        CompactPeers.Read(response[AnnounceResponseMinLength..], ipv6 ? CompactPeers.IPv6EntryLength : CompactPeers.IPv4EntryLength, peers);
        return new AnnounceResponse
        {
            Interval = interval > 0 ? TimeSpan.FromSeconds(interval) : HttpTrackerResponseParser.DefaultInterval,
            Seeders = seeders >= 0 ? seeders : null,
            Leechers = leechers >= 0 ? leechers : null,
            Peers = peers,
        };
    }

    public static ScrapeResponse ReadScrape(ReadOnlySpan<byte> response)
    {
        var seeders = BinaryPrimitives.ReadInt32BigEndian(response[8..]);
        var completed = BinaryPrimitives.ReadInt32BigEndian(response[12..]);
        var leechers = BinaryPrimitives.ReadInt32BigEndian(response[16..]);
        return new ScrapeResponse(Math.Max(0, seeders), Math.Max(0, leechers), Math.Max(0, completed));
    }

    /// <summary>The message of an error answer (action 3), as text.</summary>
    public static string ReadErrorMessage(ReadOnlySpan<byte> response)
    {
        var text = Encoding.UTF8.GetString(response[ResponseHeaderLength..]).TrimEnd('\0').Trim();
        return text.Length == 0 ? "the tracker returned an error without a message" : text;
    }
}
