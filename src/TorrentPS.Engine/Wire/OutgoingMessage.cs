namespace TorrentPS.Engine.Wire;

/// <summary>
/// One message waiting in a <see cref="SendQueue"/>. A piece message carries no data: the writer reads the block from
/// storage straight into its send buffer when the message goes out (so a cancelled upload costs no read).
/// </summary>
internal readonly record struct OutgoingMessage(PeerMessageType Type, int Index = 0, int Begin = 0, int Length = 0, byte[]? Payload = null, byte ExtendedId = 0)
{
    public static OutgoingMessage Signal(PeerMessageType type) => new(type);

    public static OutgoingMessage Have(int index) => new(PeerMessageType.Have, index);

    public static OutgoingMessage Request(int index, int begin, int length) => new(PeerMessageType.Request, index, begin, length);

    public static OutgoingMessage Cancel(int index, int begin, int length) => new(PeerMessageType.Cancel, index, begin, length);

    public static OutgoingMessage Reject(int index, int begin, int length) => new(PeerMessageType.RejectRequest, index, begin, length);

    public static OutgoingMessage Piece(int index, int begin, int length) => new(PeerMessageType.Piece, index, begin, length);

    public static OutgoingMessage Bitfield(byte[] bitfield) => new(PeerMessageType.Bitfield, Length: bitfield.Length, Payload: bitfield);

    public static OutgoingMessage AllowedFast(int index) => new(PeerMessageType.AllowedFast, index);

    public static OutgoingMessage Extended(byte extendedId, byte[] body) => new(PeerMessageType.Extended, Length: body.Length, Payload: body, ExtendedId: extendedId);

    /// <summary>The bytes this message takes on the wire.</summary>
    public int WireSize => Type switch
    {
        PeerMessageType.KeepAlive => PeerMessageEncoder.KeepAliveSize,
        PeerMessageType.Have or PeerMessageType.Suggest or PeerMessageType.AllowedFast => PeerMessageEncoder.HaveSize,
        PeerMessageType.Request or PeerMessageType.Cancel or PeerMessageType.RejectRequest => PeerMessageEncoder.RequestSize,
        PeerMessageType.Piece => PeerMessageEncoder.PieceHeaderSize + Length,
        PeerMessageType.Bitfield => 5 + Length,
        PeerMessageType.Extended => PeerMessageEncoder.ExtendedHeaderSize + Length,
        PeerMessageType.Port => PeerMessageEncoder.PortSize,
        _ => PeerMessageEncoder.SignalSize,
    };

    /// <summary>Writes the message (a piece's header only) and returns the bytes written.</summary>
    internal int WriteTo(Span<byte> destination) => Type switch
    {
        PeerMessageType.KeepAlive => PeerMessageEncoder.WriteKeepAlive(destination),
        PeerMessageType.Choke => PeerMessageEncoder.WriteChoke(destination),
        PeerMessageType.Unchoke => PeerMessageEncoder.WriteUnchoke(destination),
        PeerMessageType.Interested => PeerMessageEncoder.WriteInterested(destination),
        PeerMessageType.NotInterested => PeerMessageEncoder.WriteNotInterested(destination),
        PeerMessageType.HaveAll => PeerMessageEncoder.WriteHaveAll(destination),
        PeerMessageType.HaveNone => PeerMessageEncoder.WriteHaveNone(destination),
        PeerMessageType.Have => PeerMessageEncoder.WriteHave(destination, Index),
        PeerMessageType.Suggest => PeerMessageEncoder.WriteSuggest(destination, Index),
        PeerMessageType.AllowedFast => PeerMessageEncoder.WriteAllowedFast(destination, Index),
        PeerMessageType.Request => PeerMessageEncoder.WriteRequest(destination, Index, Begin, Length),
        PeerMessageType.Cancel => PeerMessageEncoder.WriteCancel(destination, Index, Begin, Length),
        PeerMessageType.RejectRequest => PeerMessageEncoder.WriteRejectRequest(destination, Index, Begin, Length),
        PeerMessageType.Piece => PeerMessageEncoder.WritePieceHeader(destination, Index, Begin, Length),
        PeerMessageType.Bitfield => PeerMessageEncoder.WriteBitfield(destination, Payload),
        PeerMessageType.Extended => PeerMessageEncoder.WriteExtended(destination, ExtendedId, Payload),
        _ => throw new InvalidOperationException($"{Type} cannot be queued."),
    };

    public override string ToString() => Type is PeerMessageType.Request or PeerMessageType.Cancel or PeerMessageType.RejectRequest or PeerMessageType.Piece
        ? $"{Type} {Index}:{Begin}+{Length}"
        : Type is PeerMessageType.Have or PeerMessageType.AllowedFast ? $"{Type} {Index}" : Type.ToString();
}
