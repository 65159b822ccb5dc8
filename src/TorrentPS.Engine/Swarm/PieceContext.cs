using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What connection threads need of a torrent's pieces, published as one immutable object: the torrent, the pieces in
/// progress, the pieces verified and the storage. A magnet download has none until its metadata arrives
/// (<see cref="PieceContextHolder"/> then publishes one).
/// </summary>
internal sealed class PieceContext
{
    public PieceContext(TorrentInfo torrent, IPieceStorage storage, IPieceEvents events, long maxBufferedBytes = 32L * 1024 * 1024)
    {
        Torrent = torrent;
        Storage = storage;
        Assembler = new PieceAssembler(torrent, storage, events, maxBufferedBytes);
        Verified = new VerifiedPieces(torrent.PieceCount);

        // Four pieces, and never much memory: 16 MiB pieces are read block by block instead.
        ReadCache = torrent.PieceLength <= 4 * 1024 * 1024 ? new PieceReadCache((int)torrent.PieceLength, 4) : null;
    }

    /// <summary>Whole pieces read for uploading (null for pieces too large to cache).</summary>
    public PieceReadCache? ReadCache { get; }

    public TorrentInfo Torrent { get; }

    public IPieceStorage Storage { get; }

    public PieceAssembler Assembler { get; }

    public VerifiedPieces Verified { get; }
}

/// <summary>The torrent's <see cref="PieceContext"/>, once known; read by connection threads, set once by the loop.</summary>
internal sealed class PieceContextHolder
{
    private PieceContext? _context;

    public PieceContext? Current => Volatile.Read(ref _context);

    public void Publish(PieceContext context) => Volatile.Write(ref _context, context);
}
