namespace TorrentPS.Engine.Trackers;

/// <summary>How a tracker fared the last time it was asked.</summary>
/// <remarks>Based on <see cref="long"/> so PowerShell's <c>ConvertTo-Json</c> writes its name (as <see cref="Swarm.TorrentState"/>).</remarks>
public enum TrackerStatusKind : long
{
    NotContacted,
    Working,
    Failed,
    TimedOut,
    Unsupported,
}
