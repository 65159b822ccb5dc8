namespace TorrentPS.Engine.Swarm;

/// <summary>What became of a block a peer sent.</summary>
internal enum BlockOutcome : byte
{
    /// <summary>Copied into its piece.</summary>
    Accepted,

    /// <summary>Copied into its piece, which it completed: the piece was hashed (and written when good) on the receiving thread.</summary>
    CompletedPiece,

    /// <summary>Another peer's copy came first (endgame), or the piece is done.</summary>
    Duplicate,

    /// <summary>Not a block of any piece being downloaded (never requested, or the wrong size or offset).</summary>
    Unexpected,
}
