using System.Buffers.Binary;
using System.Net;

namespace TorrentPS.Engine.Trackers;

/// <summary>BEP 23 / BEP 7 compact peer lists: 6 bytes (IPv4 + port) or 18 bytes (IPv6 + port) per peer.</summary>
internal static class CompactPeers
{
    public const int IPv4EntryLength = 6;
    public const int IPv6EntryLength = 18;

    /// <summary>
    /// Adds the peers in <paramref name="data"/> to <paramref name="peers"/>; entries with port 0 are skipped.
    /// A trailing partial entry is ignored. Returns false when <paramref name="data"/> is not a whole number of entries.
    /// </summary>
    public static bool Read(ReadOnlySpan<byte> data, int entryLength, List<IPEndPoint> peers)
    {
        if (entryLength is not (IPv4EntryLength or IPv6EntryLength))
        {
            throw new ArgumentOutOfRangeException(nameof(entryLength));
        }

        var addressLength = entryLength - 2;
        var whole = data.Length - (data.Length % entryLength);
        for (var offset = 0; offset < whole; offset += entryLength)
        {
            var entry = data.Slice(offset, entryLength);
            var port = BinaryPrimitives.ReadUInt16BigEndian(entry[addressLength..]);
            if (port == 0)
            {
                continue;
            }

            peers.Add(new IPEndPoint(new IPAddress(entry[..addressLength]), port));
        }

        return whole == data.Length;
    }

    /// <summary>Writes peers in compact form (for tests and fake trackers).</summary>
    public static byte[] Write(IEnumerable<IPEndPoint> peers, int entryLength)
    {
        var buffer = new List<byte>();
        Span<byte> port = stackalloc byte[2];
        foreach (var peer in peers)
        {
            var address = peer.Address.GetAddressBytes();
            if (address.Length != entryLength - 2)
            {
                throw new ArgumentException($"{peer.Address} does not fit a {entryLength}-byte entry.", nameof(peers));
            }

            buffer.AddRange(address);
            BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)peer.Port);
            buffer.Add(port[0]);
            buffer.Add(port[1]);
        }

        return buffer.ToArray();
    }
}
