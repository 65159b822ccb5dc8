namespace TorrentPS.Engine.Swarm;

/// <summary>Where a torrent is in its life. Checking → (FetchingMetadata) → Downloading → Seeding → Completed or Stopped.</summary>
/// <remarks>
/// Based on <see cref="long"/> so PowerShell's <c>ConvertTo-Json</c> writes its name, not a number: it writes an enum whose
/// values need 64 bits as text (a JSON number cannot hold them), which every enum the module emits relies on.
/// </remarks>
public enum TorrentState : long
{
    /// <summary>Hashing the data already on disk (trusting resume data where it can be checked).</summary>
    Checking,

    /// <summary>A magnet link: fetching the info dictionary from peers.</summary>
    FetchingMetadata,

    Downloading,

    /// <summary>Every wanted piece is here; uploading to others.</summary>
    Seeding,

    /// <summary>Closing connections and saving state.</summary>
    Stopping,

    /// <summary>Ended with every wanted piece verified.</summary>
    Completed,

    /// <summary>Ended before that: the user stopped it.</summary>
    Stopped,

    /// <summary>Ended by an error (no progress within the timeout, the disk failed).</summary>
    Failed,
}
