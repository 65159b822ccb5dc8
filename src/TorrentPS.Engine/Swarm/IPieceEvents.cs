namespace TorrentPS.Engine.Swarm;

/// <summary>What the thread that completes a piece tells the torrent's loop. Implementations post to the loop and return at once.</summary>
internal interface IPieceEvents
{
    /// <summary>The piece's hash matched and it was written.</summary>
    void PieceVerified(int index);

    /// <summary>The piece's hash did not match; <paramref name="contributors"/> are the peers that supplied its blocks.</summary>
    void PieceFailed(int index, int[] contributors);

    /// <summary>The piece was good but could not be written.</summary>
    void StorageFailed(int index, Exception error);
}
