namespace TorrentPS.Engine.Storage;

/// <summary>What a check found of one file of a torrent.</summary>
/// <remarks>Based on <see cref="long"/> so PowerShell's <c>ConvertTo-Json</c> writes its name (as <see cref="Swarm.TorrentState"/>).</remarks>
public enum FileVerificationStatus : long
{
    /// <summary>The file is there at its full length and every piece holding its bytes is valid.</summary>
    Complete,

    /// <summary>The file is there, but short or with pieces missing or invalid.</summary>
    Incomplete,

    /// <summary>There is no file (or a folder stands in its place).</summary>
    Missing,

    /// <summary>Absent by choice: the file selection skips it, so it was not checked.</summary>
    Skipped,
}
