namespace TorrentPS.Engine.Swarm;

/// <summary>A block of a piece: its piece index and its number within the piece (offset = number × 16 KiB).</summary>
internal readonly record struct BlockRef(int Piece, int Block)
{
    public int Begin => Block * ActivePiece.BlockSize;

    public override string ToString() => $"{Piece}:{Begin}";
}
