namespace TorrentPS.Engine.Wire;

/// <summary>Where a <see cref="SendQueue"/> reads the blocks it uploads.</summary>
internal interface IBlockReader
{
    /// <summary>Reads a block of a piece we have into <paramref name="destination"/>; false when it cannot (the upload is skipped).</summary>
    bool TryReadBlock(int piece, int begin, Span<byte> destination);
}
