using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// BEP 5's compact peer info: an address in network byte order then the port, 6 bytes for IPv4 and 18 for IPv6. The
/// form of every <c>values</c> entry of a <c>get_peers</c> answer, and of BEP 42's <c>ip</c> field.
/// </summary>
internal static class CompactPeerInfo
{
    public const int IPv4Length = 6;

    public const int IPv6Length = 18;

    /// <summary>The length of <paramref name="endPoint"/> in compact form.</summary>
    public static int LengthOf(IPEndPoint endPoint) => endPoint.AddressFamily switch
    {
        AddressFamily.InterNetwork => IPv4Length,
        AddressFamily.InterNetworkV6 => IPv6Length,
        _ => throw new ArgumentOutOfRangeException(nameof(endPoint), endPoint, "Only IPv4 and IPv6 end points have a compact form."),
    };

    /// <summary>Reads one entry of 6 or 18 bytes; false for any other length. The port may be 0 (the caller decides).</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (data.Length is not (IPv4Length or IPv6Length))
        {
            return false;
        }

        endPoint = new IPEndPoint(new IPAddress(data[..^2]), BinaryPrimitives.ReadUInt16BigEndian(data[^2..]));
        return true;
    }

    /// <summary>Writes <paramref name="endPoint"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(IPEndPoint endPoint, Span<byte> destination)
    {
        var length = LengthOf(endPoint);
        if (destination.Length < length)
        {
            throw new ArgumentException($"A compact {endPoint.AddressFamily} end point needs {length} bytes.", nameof(destination));
        }

        if (!endPoint.Address.TryWriteBytes(destination, out var written) || written != length - 2)
        {
            throw new ArgumentException($"{endPoint.Address} has no {length - 2}-byte form.", nameof(endPoint));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[written..], (ushort)endPoint.Port);
        return length;
    }

    public static byte[] ToArray(IPEndPoint endPoint)
    {
        var bytes = new byte[LengthOf(endPoint)];
        Write(endPoint, bytes);
        return bytes;
    }
}
