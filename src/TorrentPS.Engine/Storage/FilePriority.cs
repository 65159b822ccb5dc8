namespace TorrentPS.Engine.Storage;

/// <summary>
/// How much a file of a torrent is wanted: <see cref="Skip"/> is never downloaded (and never created); the others are,
/// higher priorities first. The values order the priorities, so the highest of several is their maximum.
/// </summary>
/// <remarks>Based on <see cref="long"/> so PowerShell's <c>ConvertTo-Json</c> writes its name (as <see cref="Swarm.TorrentState"/>).</remarks>
public enum FilePriority : long
{
    /// <summary>Not downloaded: the file is never created (bytes of its pieces shared with chosen files go to the part file).</summary>
    Skip = 0,

    Low = 1,

    Normal = 2,

    High = 3,
}
