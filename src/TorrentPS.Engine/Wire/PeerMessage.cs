namespace TorrentPS.Engine.Wire;

/// <summary>
/// One decoded peer message. <see cref="Payload"/> (a bitfield, a block, an extended message's body)
/// points into the reader's buffer and is valid only until the next read: copy what you keep.
/// </summary>
internal readonly struct PeerMessage
{
    internal PeerMessage(PeerMessageType type, int index = 0, int begin = 0, int length = 0, ReadOnlyMemory<byte> payload = default, byte extendedId = 0, ushort port = 0)
    {
        Type = type;
        Index = index;
        Begin = begin;
        Length = length;
        Payload = payload;
        ExtendedId = extendedId;
        Port = port;
    }

    public PeerMessageType Type { get; }

    /// <summary>The piece index of have, request, piece, cancel, suggest, reject request and allowed fast.</summary>
    public int Index { get; }

    /// <summary>The byte offset in the piece of request, piece, cancel and reject request.</summary>
    public int Begin { get; }

    /// <summary>The block length of request, cancel and reject request; the block's length for piece.</summary>
    public int Length { get; }

    /// <summary>The bitfield's bytes, the piece's block, or the extended message's body (after its id).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The extended message id (0 is the extension handshake).</summary>
    public byte ExtendedId { get; }

    /// <summary>The DHT port of a port message.</summary>
    public ushort Port { get; }

    public override string ToString() => Type switch
    {
        PeerMessageType.Have or PeerMessageType.Suggest or PeerMessageType.AllowedFast => $"{Type} {Index}",
        PeerMessageType.Request or PeerMessageType.Cancel or PeerMessageType.RejectRequest or PeerMessageType.Piece => $"{Type} {Index}:{Begin}+{Length}",
        PeerMessageType.Bitfield => $"{Type} ({Payload.Length} bytes)",
        PeerMessageType.Extended => $"{Type} #{ExtendedId} ({Payload.Length} bytes)",
        PeerMessageType.Port => $"{Type} {Port}",
        _ => Type.ToString(),
    };
}
