namespace TorrentPS.Engine.Storage;

/// <summary>What a check found of one file of a torrent.</summary>
public enum FileVerificationStatus
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
