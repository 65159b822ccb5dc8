using System.Buffers.Binary;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// Writes peer messages into a caller's span (a pooled send buffer) and returns the bytes written.
/// Allocates nothing. Sizes are constants so callers can reserve space.
/// </summary>
internal static class PeerMessageEncoder
{
    public const int KeepAliveSize = 4;
    public const int SignalSize = 5;
    public const int HaveSize = 9;
    public const int RequestSize = 17;
    public const int PortSize = 7;
    public const int PieceHeaderSize = 13;
    public const int ExtendedHeaderSize = 6;

    public static int WriteKeepAlive(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        return KeepAliveSize;
    }

    public static int WriteChoke(Span<byte> destination) => WriteSignal(destination, PeerMessageType.Choke);

    public static int WriteUnchoke(Span<byte> destination) => WriteSignal(destination, PeerMessageType.Unchoke);

    public static int WriteInterested(Span<byte> destination) => WriteSignal(destination, PeerMessageType.Interested);

    public static int WriteNotInterested(Span<byte> destination) => WriteSignal(destination, PeerMessageType.NotInterested);

    public static int WriteHaveAll(Span<byte> destination) => WriteSignal(destination, PeerMessageType.HaveAll);

    public static int WriteHaveNone(Span<byte> destination) => WriteSignal(destination, PeerMessageType.HaveNone);

    public static int WriteHave(Span<byte> destination, int index) => WriteIndexed(destination, PeerMessageType.Have, index);

    public static int WriteSuggest(Span<byte> destination, int index) => WriteIndexed(destination, PeerMessageType.Suggest, index);

    public static int WriteAllowedFast(Span<byte> destination, int index) => WriteIndexed(destination, PeerMessageType.AllowedFast, index);

    public static int WriteRequest(Span<byte> destination, int index, int begin, int length) => WriteBlockReference(destination, PeerMessageType.Request, index, begin, length);

    public static int WriteCancel(Span<byte> destination, int index, int begin, int length) => WriteBlockReference(destination, PeerMessageType.Cancel, index, begin, length);

    public static int WriteRejectRequest(Span<byte> destination, int index, int begin, int length) => WriteBlockReference(destination, PeerMessageType.RejectRequest, index, begin, length);

    public static int WriteBitfield(Span<byte> destination, ReadOnlySpan<byte> bitfield)
    {
        WriteFrameStart(destination, PeerMessageType.Bitfield, 1 + bitfield.Length);
        bitfield.CopyTo(destination[5..]);
        return 5 + bitfield.Length;
    }

    /// <summary>The 13-byte header of a piece message; the block follows it on the wire (send it without copying).</summary>
    public static int WritePieceHeader(Span<byte> destination, int index, int begin, int blockLength)
    {
        if (blockLength is <= 0 or > PeerMessageLimits.BlockLength)
        {
            throw new ArgumentOutOfRangeException(nameof(blockLength), blockLength, $"A block is 1 to {PeerMessageLimits.BlockLength} bytes.");
        }

        WriteFrameStart(destination, PeerMessageType.Piece, 9 + blockLength);
        WriteNonNegative(destination[5..], index, nameof(index));
        WriteNonNegative(destination[9..], begin, nameof(begin));
        return PieceHeaderSize;
    }

    public static int WritePiece(Span<byte> destination, int index, int begin, ReadOnlySpan<byte> block)
    {
        var header = WritePieceHeader(destination, index, begin, block.Length);
        block.CopyTo(destination[header..]);
        return header + block.Length;
    }

    public static int WritePort(Span<byte> destination, ushort port)
    {
        WriteFrameStart(destination, PeerMessageType.Port, 3);
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], port);
        return PortSize;
    }

    /// <summary>The 6-byte header of an extended message whose body of <paramref name="payloadLength"/> bytes follows.</summary>
    public static int WriteExtendedHeader(Span<byte> destination, byte extendedId, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        WriteFrameStart(destination, PeerMessageType.Extended, 2 + payloadLength);
        destination[5] = extendedId;
        return ExtendedHeaderSize;
    }

    public static int WriteExtended(Span<byte> destination, byte extendedId, ReadOnlySpan<byte> payload)
    {
        var header = WriteExtendedHeader(destination, extendedId, payload.Length);
        payload.CopyTo(destination[header..]);
        return header + payload.Length;
    }

    private static int WriteSignal(Span<byte> destination, PeerMessageType type)
    {
        WriteFrameStart(destination, type, 1);
        return SignalSize;
    }

    private static int WriteIndexed(Span<byte> destination, PeerMessageType type, int index)
    {
        WriteFrameStart(destination, type, 5);
        WriteNonNegative(destination[5..], index, nameof(index));
        return HaveSize;
    }

    private static int WriteBlockReference(Span<byte> destination, PeerMessageType type, int index, int begin, int length)
    {
        if (length is <= 0 or > PeerMessageLimits.BlockLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A block is 1 to {PeerMessageLimits.BlockLength} bytes.");
        }

        WriteFrameStart(destination, type, 13);
        WriteNonNegative(destination[5..], index, nameof(index));
        WriteNonNegative(destination[9..], begin, nameof(begin));
        BinaryPrimitives.WriteInt32BigEndian(destination[13..], length);
        return RequestSize;
    }

    private static void WriteFrameStart(Span<byte> destination, PeerMessageType type, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, length);
        destination[4] = (byte)type;
    }

    private static void WriteNonNegative(Span<byte> destination, int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        BinaryPrimitives.WriteInt32BigEndian(destination, value);
    }
}
