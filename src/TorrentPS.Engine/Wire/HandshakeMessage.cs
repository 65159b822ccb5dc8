using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The BEP 3 handshake: <c>19 "BitTorrent protocol"</c>, 8 reserved bytes, the info hash, the peer id
/// (68 bytes).
/// </summary>
public sealed record HandshakeMessage(ReservedBits Reserved, InfoHash InfoHash, PeerId PeerId)
{
    internal const int Length = 68;

    /// <summary>The bytes up to and including the info hash: what a listener needs to pick the torrent.</summary>
    internal const int PrefixLength = 48;

    private static ReadOnlySpan<byte> Protocol => "\u0013BitTorrent protocol"u8;

    internal void Write(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"A handshake needs {Length} bytes.", nameof(destination));
        }

        Protocol.CopyTo(destination);
        Reserved.Write(destination[20..28]);
        InfoHash.AsSpan().CopyTo(destination[28..48]);
        PeerId.AsSpan().CopyTo(destination[48..68]);
    }

    internal byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    /// <summary>Reads the protocol string, reserved bits and info hash (the first 48 bytes).</summary>
    /// <exception cref="PeerProtocolException">The bytes are not a BitTorrent handshake.</exception>
    internal static (ReservedBits Reserved, InfoHash InfoHash) ReadPrefix(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < PrefixLength)
        {
            throw new ArgumentException($"The handshake prefix is {PrefixLength} bytes.", nameof(bytes));
        }

        if (!bytes[..20].SequenceEqual(Protocol))
        {
            throw new PeerProtocolException(null, $"not a BitTorrent handshake: it starts with {Describe(bytes[..20])}");
        }

        return (ReservedBits.Read(bytes[20..28]), new InfoHash(bytes[28..48]));
    }

    /// <summary>Reads a whole 68-byte handshake.</summary>
    internal static HandshakeMessage Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new PeerProtocolException(null, $"a handshake is {Length} bytes, not {bytes.Length}");
        }

        var (reserved, infoHash) = ReadPrefix(bytes);
        return new HandshakeMessage(reserved, infoHash, new PeerId(bytes[48..68]));
    }

    internal static string Describe(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes.Length > 20 ? bytes[..20] : bytes;
        return $"0x{Convert.ToHexString(shown).ToLowerInvariant()}";
    }
}
