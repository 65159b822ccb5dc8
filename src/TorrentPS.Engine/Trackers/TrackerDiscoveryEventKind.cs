namespace TorrentPS.Engine.Trackers;

public enum TrackerDiscoveryEventKind
{
    /// <summary>A peer not reported before.</summary>
    Peer,

    /// <summary>A tracker answered (with how many peers).</summary>
    Answered,

    /// <summary>A tracker answered with a warning message.</summary>
    Warning,

    /// <summary>A tracker failed, timed out or is not supported.</summary>
    Failed,
}
