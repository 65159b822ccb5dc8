namespace TorrentPS.Engine.Wire;

/// <summary>
/// What a connection accepts from a peer. A length prefix beyond what its message type allows is a
/// protocol error found from the 5-byte header alone, before any buffer is grown for it.
/// </summary>
internal sealed record PeerMessageLimits
{
    /// <summary>The largest block a request may ask for and a piece message may carry: 16 KiB.</summary>
    public const int BlockLength = 16 * 1024;

    /// <summary>Everything allowed, piece count unknown: for tests and tools.</summary>
    public static PeerMessageLimits Permissive { get; } = new() { FastExtension = true, ExtensionProtocol = true };

    /// <summary>The torrent's piece count; 0 when unknown (a bitfield is then only bounded by <see cref="MaxBitfieldBytes"/>).</summary>
    public int PieceCount { get; init; }

    /// <summary>The largest bitfield accepted while the piece count is unknown (2 Mi pieces).</summary>
    public int MaxBitfieldBytes { get; init; } = 256 * 1024;

    /// <summary>The largest extended message body accepted.</summary>
    public int MaxExtendedLength { get; init; } = 1024 * 1024;

    /// <summary>BEP 6 was negotiated: its messages are allowed.</summary>
    public bool FastExtension { get; init; }

    /// <summary>BEP 10 was negotiated: extended messages are allowed.</summary>
    public bool ExtensionProtocol { get; init; }

    internal int BitfieldBytes => PieceCount > 0 ? (int)(((long)PieceCount + 7) / 8) : MaxBitfieldBytes;

    /// <summary>The longest frame body (after the 4-byte length) of any type.</summary>
    internal long MaxFrameLength => Math.Max(Math.Max(1L + BitfieldBytes, 9L + BlockLength), 2L + MaxExtendedLength);
}
