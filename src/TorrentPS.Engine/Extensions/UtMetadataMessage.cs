using System.Buffers;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Extensions;

/// <summary>
/// One ut_metadata message (the body of an extended message): a bencoded dictionary
/// (<c>msg_type</c>, <c>piece</c>, <c>total_size</c>) followed, for data, by the piece's bytes.
/// The metadata is cut in 16 KiB pieces; only the last may be shorter. <see cref="Data"/> points into
/// the buffer it was read from.
/// </summary>
internal readonly struct UtMetadataMessage
{
    /// <summary>The size of every metadata piece but the last.</summary>
    public const int PieceLength = 16 * 1024;

    /// <summary>The largest info dictionary accepted (BEP 9 leaves it open; real ones are far smaller).</summary>
    public const long MaxMetadataSize = 32L * 1024 * 1024;

    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 4, MaxValueCount = 64, MaxInputLength = 1024 * 1024 };

    private UtMetadataMessage(UtMetadataMessageType type, int piece, long totalSize, ReadOnlyMemory<byte> data)
    {
        Type = type;
        Piece = piece;
        TotalSize = totalSize;
        Data = data;
    }

    public UtMetadataMessageType Type { get; }

    public int Piece { get; }

    /// <summary>The metadata's whole size, sent with data messages; 0 otherwise.</summary>
    public long TotalSize { get; }

    /// <summary>The piece's bytes, for data messages.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>How many pieces metadata of <paramref name="metadataSize"/> bytes has.</summary>
    public static int PieceCount(long metadataSize) => (int)((metadataSize + PieceLength - 1) / PieceLength);

    /// <summary>The length of piece <paramref name="piece"/> of metadata of <paramref name="metadataSize"/> bytes.</summary>
    public static int GetPieceLength(int piece, long metadataSize)
        => (int)Math.Min(PieceLength, metadataSize - ((long)piece * PieceLength));

    /// <summary>Reads a ut_metadata body.</summary>
    /// <param name="expectedSize">The metadata size announced in the extension handshake, or null when unknown.</param>
    /// <exception cref="PeerProtocolException">Not bencode, an unknown type, a piece out of range, a data piece of the wrong length.</exception>
    public static UtMetadataMessage Decode(ReadOnlyMemory<byte> body, long? expectedSize = null)
    {
        var header = BencodedPayload.ReadDictionary(body, ReaderOptions, "a ut_metadata message", out var consumed);

        var typeValue = header.Get<BencodeInteger>("msg_type")?.Value;
        if (typeValue is not (0 or 1 or 2))
        {
            throw new PeerProtocolException(null, $"a ut_metadata message has msg_type {typeValue?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}");
        }

        var piece = header.Get<BencodeInteger>("piece")?.Value;
        if (piece is null or < 0 or > int.MaxValue)
        {
            throw new PeerProtocolException(null, $"a ut_metadata message names piece {piece?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}");
        }

        var type = (UtMetadataMessageType)typeValue.Value;
        if (type != UtMetadataMessageType.Data)
        {
            if (expectedSize is { } known && piece >= PieceCount(known))
            {
                throw new PeerProtocolException(null, $"a ut_metadata {type.ToString().ToLowerInvariant()} for piece {piece}; the metadata has {PieceCount(known)}");
            }

            return new UtMetadataMessage(type, (int)piece, 0, default);
        }

        var totalSize = header.Get<BencodeInteger>("total_size")?.Value ?? expectedSize ?? 0;
        if (totalSize is <= 0 or > MaxMetadataSize)
        {
            throw new PeerProtocolException(null, $"a ut_metadata data message gives the total size {totalSize}");
        }

        if (expectedSize is { } expected && expected != totalSize)
        {
            throw new PeerProtocolException(null, $"a ut_metadata data message gives the total size {totalSize}, but the extension handshake said {expected}");
        }

        if (piece >= PieceCount(totalSize))
        {
            throw new PeerProtocolException(null, $"a ut_metadata data message for piece {piece}; the metadata has {PieceCount(totalSize)}");
        }

        var data = body[consumed..];
        var length = GetPieceLength((int)piece, totalSize);
        if (data.Length != length)
        {
            throw new PeerProtocolException(null, $"ut_metadata piece {piece} is {data.Length} bytes, not {length}");
        }

        return new UtMetadataMessage(type, (int)piece, totalSize, data);
    }

    /// <summary>Writes a request for <paramref name="piece"/>.</summary>
    public static void WriteRequest(IBufferWriter<byte> output, int piece) => WriteHeader(output, UtMetadataMessageType.Request, piece, null);

    /// <summary>Writes a reject of <paramref name="piece"/>.</summary>
    public static void WriteReject(IBufferWriter<byte> output, int piece) => WriteHeader(output, UtMetadataMessageType.Reject, piece, null);

    /// <summary>Writes piece <paramref name="piece"/> of <paramref name="metadata"/> (the whole info dictionary).</summary>
    public static void WriteData(IBufferWriter<byte> output, int piece, ReadOnlySpan<byte> metadata)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, PieceCount(metadata.Length));
        WriteHeader(output, UtMetadataMessageType.Data, piece, metadata.Length);
        var slice = metadata.Slice(piece * PieceLength, GetPieceLength(piece, metadata.Length));
        slice.CopyTo(output.GetSpan(slice.Length));
        output.Advance(slice.Length);
    }

    private static void WriteHeader(IBufferWriter<byte> output, UtMetadataMessageType type, int piece, long? totalSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteString("msg_type"u8);
        writer.WriteInteger((int)type);
        writer.WriteString("piece"u8);
        writer.WriteInteger(piece);
        if (totalSize is { } size)
        {
            writer.WriteString("total_size"u8);
            writer.WriteInteger(size);
        }

        writer.WriteEnd();
    }
}
