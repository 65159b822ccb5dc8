namespace TorrentPS.Engine.Storage;

/// <summary>
/// Where verified pieces go and where served blocks come from. Called from connection threads, concurrently for
/// different pieces; a slow implementation blocks the calling connection's thread, which then stops reading its socket
/// (that is the back-pressure: TCP slows the peer, nothing buffers without bound). The torrent's files implement it
/// (<see cref="PieceStore"/>); tests use memory.
/// </summary>
internal interface IPieceStorage
{
    /// <summary>Writes a whole verified piece.</summary>
    void WritePiece(int piece, ReadOnlySpan<byte> data);

    /// <summary>Reads part of a piece we have; returns the bytes read (fewer when the data is gone).</summary>
    int Read(int piece, int begin, Span<byte> destination);
}
