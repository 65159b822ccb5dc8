namespace TorrentPS.Engine.Trackers;

/// <summary>How a tracker fared the last time it was asked.</summary>
public enum TrackerStatusKind
{
    NotContacted,
    Working,
    Failed,
    TimedOut,
    Unsupported,
}
