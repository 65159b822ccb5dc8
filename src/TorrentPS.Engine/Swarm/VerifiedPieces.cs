namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The pieces verified so far, readable from any thread (connection threads check it before serving a block). Only
/// the torrent's loop adds pieces, and a piece once added stays: a reader that sees a piece sees its data written.
/// </summary>
internal sealed class VerifiedPieces
{
    private readonly int[] _words;
    private int _count;

    public VerifiedPieces(int pieceCount)
    {
        PieceCount = pieceCount;
        _words = new int[(pieceCount + 31) / 32];
    }

    public int PieceCount { get; }

    public int Count => Volatile.Read(ref _count);

    public bool Contains(int piece)
        => (uint)piece < (uint)PieceCount && (Volatile.Read(ref _words[piece >> 5]) & (1 << (piece & 31))) != 0;

    /// <summary>Adds a piece (the loop only, after its data is written).</summary>
    public void Add(int piece)
    {
        var mask = 1 << (piece & 31);
        if ((Interlocked.Or(ref _words[piece >> 5], mask) & mask) == 0)
        {
            Interlocked.Increment(ref _count);
        }
    }
}
