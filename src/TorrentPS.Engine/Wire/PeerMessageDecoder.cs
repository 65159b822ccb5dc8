using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// Decodes length-prefixed peer messages from a buffer. Checks every bound from the header first:
/// a frame longer than its type allows, an unknown type, a request for more than 16 KiB, a bitfield
/// of the wrong size or with spare bits set are <see cref="PeerProtocolException"/>s. Allocates nothing.
/// </summary>
internal static class PeerMessageDecoder
{
    public const int LengthPrefixSize = 4;

    /// <summary>
    /// Checks a frame's header: its length prefix and, when it has a body, its type byte. Returns the
    /// whole frame's size (prefix included) so a reader knows how much to wait for.
    /// </summary>
    /// <param name="header">At least 4 bytes; 5 when the length is not 0.</param>
    public static int CheckHeader(ReadOnlySpan<byte> header, PeerMessageLimits limits)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            return LengthPrefixSize;
        }

        if (length > limits.MaxFrameLength)
        {
            throw new PeerProtocolException(null, $"a message length of {length} bytes is larger than any message may be ({limits.MaxFrameLength} bytes)");
        }

        if (header.Length < 5)
        {
            throw new ArgumentException("The header of a non-empty frame is 5 bytes.", nameof(header));
        }

        var type = (PeerMessageType)header[4];
        var (min, max) = AllowedLength(type, limits);
        if (length < min || length > max)
        {
            throw new PeerProtocolException(null, min == max
                ? $"a {Name(type)} message is {min} bytes long, not {length}"
                : $"a {Name(type)} message is {min} to {max} bytes long, not {length}");
        }

        return LengthPrefixSize + (int)length;
    }

    /// <summary>Decodes the one frame at the start of <paramref name="buffer"/>; false when it is not all there yet.</summary>
    /// <exception cref="PeerProtocolException">The frame breaks the protocol.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDecode(ReadOnlyMemory<byte> buffer, PeerMessageLimits limits, out PeerMessage message, out int consumed)
    {
        message = default;
        consumed = 0;
        var span = buffer.Span;
        if (span.Length < LengthPrefixSize)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(span) == 0)
        {
            message = new PeerMessage(PeerMessageType.KeepAlive);
            consumed = LengthPrefixSize;
            return true;
        }

        if (span.Length < 5)
        {
            // Still check the length alone: a 4 GiB prefix fails before its type byte arrives.
            CheckLengthOnly(span, limits);
            return false;
        }

        var frameLength = CheckHeader(span, limits);
        if (span.Length < frameLength)
        {
            return false;
        }

        message = DecodeBody(buffer[5..frameLength], (PeerMessageType)span[4], limits);
        consumed = frameLength;
        return true;
    }

    internal static void CheckLengthOnly(ReadOnlySpan<byte> prefix, PeerMessageLimits limits)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length > limits.MaxFrameLength)
        {
            throw new PeerProtocolException(null, $"a message length of {length} bytes is larger than any message may be ({limits.MaxFrameLength} bytes)");
        }
    }

    private static PeerMessage DecodeBody(ReadOnlyMemory<byte> body, PeerMessageType type, PeerMessageLimits limits)
    {
        var span = body.Span;
        switch (type)
        {
            case PeerMessageType.Choke or PeerMessageType.Unchoke or PeerMessageType.Interested or PeerMessageType.NotInterested
                or PeerMessageType.HaveAll or PeerMessageType.HaveNone:
                return new PeerMessage(type);
            case PeerMessageType.Have or PeerMessageType.Suggest or PeerMessageType.AllowedFast:
                return new PeerMessage(type, index: ReadIndex(span, type, limits));
            case PeerMessageType.Request or PeerMessageType.Cancel or PeerMessageType.RejectRequest:
            {
                var index = ReadIndex(span, type, limits);
                var begin = ReadInt(span[4..], type, "offset");
                var length = ReadInt(span[8..], type, "length");
                if (length is 0 or > PeerMessageLimits.BlockLength)
                {
                    throw new PeerProtocolException(null, $"a {Name(type)} for {length} bytes: blocks are 1 to {PeerMessageLimits.BlockLength} bytes");
                }

                return new PeerMessage(type, index, begin, length);
            }

            case PeerMessageType.Piece:
            {
                var index = ReadIndex(span, type, limits);
                var begin = ReadInt(span[4..], type, "offset");
                return new PeerMessage(type, index, begin, body.Length - 8, body[8..]);
            }

            case PeerMessageType.Bitfield:
                CheckBitfield(span, limits.PieceCount);
                return new PeerMessage(type, length: body.Length, payload: body);
            case PeerMessageType.Port:
                return new PeerMessage(type, port: BinaryPrimitives.ReadUInt16BigEndian(span));
            case PeerMessageType.Extended:
                return new PeerMessage(type, length: body.Length - 1, payload: body[1..], extendedId: span[0]);
            default:
                throw new PeerProtocolException(null, $"unknown message type {(int)type}");
        }
    }

    /// <summary>Checks a bitfield against the piece count: exact size and spare bits clear.</summary>
    public static void CheckBitfield(ReadOnlySpan<byte> bitfield, int pieceCount)
    {
        if (pieceCount <= 0)
        {
            return;
        }

        var expected = (pieceCount + 7) / 8;
        if (bitfield.Length != expected)
        {
            throw new PeerProtocolException(null, $"the bitfield is {bitfield.Length} bytes; {pieceCount} pieces need {expected}");
        }

        var spare = (expected * 8) - pieceCount;
        if (spare > 0 && (bitfield[^1] & ((1 << spare) - 1)) != 0)
        {
            throw new PeerProtocolException(null, $"the bitfield sets spare bits past piece {pieceCount - 1}");
        }
    }

    private static int ReadIndex(ReadOnlySpan<byte> span, PeerMessageType type, PeerMessageLimits limits)
    {
        var index = ReadInt(span, type, "piece index");
        if (limits.PieceCount > 0 && index >= limits.PieceCount)
        {
            throw new PeerProtocolException(null, $"a {Name(type)} names piece {index}; the torrent has {limits.PieceCount}");
        }

        return index;
    }

    private static int ReadInt(ReadOnlySpan<byte> span, PeerMessageType type, string what)
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(span);
        if (value > int.MaxValue)
        {
            throw new PeerProtocolException(null, $"a {Name(type)} has the {what} {value}, past any torrent");
        }

        return (int)value;
    }

    private static (long Min, long Max) AllowedLength(PeerMessageType type, PeerMessageLimits limits) => type switch
    {
        PeerMessageType.Choke or PeerMessageType.Unchoke or PeerMessageType.Interested or PeerMessageType.NotInterested => (1, 1),
        PeerMessageType.Have => (5, 5),
        PeerMessageType.Bitfield => limits.PieceCount > 0 ? (1L + limits.BitfieldBytes, 1L + limits.BitfieldBytes) : (1, 1L + limits.MaxBitfieldBytes),
        PeerMessageType.Request or PeerMessageType.Cancel => (13, 13),
        PeerMessageType.Piece => (9, 9 + PeerMessageLimits.BlockLength),
        PeerMessageType.Port => (3, 3),
        PeerMessageType.HaveAll or PeerMessageType.HaveNone when limits.FastExtension => (1, 1),
        PeerMessageType.Suggest or PeerMessageType.AllowedFast when limits.FastExtension => (5, 5),
        PeerMessageType.RejectRequest when limits.FastExtension => (13, 13),
        PeerMessageType.Extended when limits.ExtensionProtocol => (2, 1L + limits.MaxExtendedLength),
        PeerMessageType.HaveAll or PeerMessageType.HaveNone or PeerMessageType.Suggest or PeerMessageType.AllowedFast or PeerMessageType.RejectRequest
            => throw new PeerProtocolException(null, $"a {Name(type)} message, but the fast extension was not negotiated"),
        PeerMessageType.Extended => throw new PeerProtocolException(null, "an extended message, but the extension protocol was not negotiated"),
        _ => throw new PeerProtocolException(null, $"unknown message type {(int)type}"),
    };

    private static string Name(PeerMessageType type) => type switch
    {
        PeerMessageType.NotInterested => "not interested",
        PeerMessageType.HaveAll => "have all",
        PeerMessageType.HaveNone => "have none",
        PeerMessageType.RejectRequest => "reject request",
        PeerMessageType.AllowedFast => "allowed fast",
        _ => type.ToString().ToLowerInvariant(),
    };
}
