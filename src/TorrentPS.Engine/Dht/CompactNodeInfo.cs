using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// BEP 5's compact node info: a node id then a compact address, 26 bytes per IPv4 node (<c>nodes</c>) and 38 per
/// IPv6 node (BEP 32's <c>nodes6</c>), concatenated in one string.
/// </summary>
internal static class CompactNodeInfo
{
    public const int IPv4EntryLength = NodeId.Length + CompactPeerInfo.IPv4Length;

    public const int IPv6EntryLength = NodeId.Length + CompactPeerInfo.IPv6Length;

    /// <summary>The entry length for an address family.</summary>
    public static int EntryLength(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => IPv4EntryLength,
        AddressFamily.InterNetworkV6 => IPv6EntryLength,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Only IPv4 and IPv6 nodes have a compact form."),
    };

    /// <summary>
    /// Reads a whole string of entries of <paramref name="family"/>. False, with nothing read, when the length is not a
    /// whole number of entries; entries with port 0 are left out (nobody answers there).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, AddressFamily family, out List<DhtContact> nodes)
    {
        var entryLength = EntryLength(family);
        nodes = [];
        if (data.Length % entryLength != 0)
        {
            return false;
        }

        nodes.Capacity = data.Length / entryLength;
        for (var offset = 0; offset < data.Length; offset += entryLength)
        {
            var entry = data.Slice(offset, entryLength);
            var address = entry.Slice(NodeId.Length, entryLength - NodeId.Length - 2);
            var port = BinaryPrimitives.ReadUInt16BigEndian(entry[^2..]);
            if (port != 0)
            {
                nodes.Add(new DhtContact(new NodeId(entry[..NodeId.Length]), new IPEndPoint(new IPAddress(address), port)));
            }
        }

        return true;
    }

    /// <summary>The entries of <paramref name="nodes"/> whose address is of <paramref name="family"/>, in one string.</summary>
    public static byte[] Write(IEnumerable<DhtContact> nodes, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var entryLength = EntryLength(family);
        var matching = nodes.Where(n => n.EndPoint.AddressFamily == family).ToList();
        var bytes = new byte[matching.Count * entryLength];
        for (var i = 0; i < matching.Count; i++)
        {
            var entry = bytes.AsSpan(i * entryLength, entryLength);
            matching[i].Id.CopyTo(entry);
            CompactPeerInfo.Write(matching[i].EndPoint, entry[NodeId.Length..]);
        }

        return bytes;
    }
}
