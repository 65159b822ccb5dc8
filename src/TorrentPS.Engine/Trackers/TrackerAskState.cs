namespace TorrentPS.Engine.Trackers;

/// <summary>Where one tracker of a discovery or status query stands (<see cref="TrackerBatchProgress.Trackers"/>).</summary>
public enum TrackerAskState
{
    /// <summary>Not asked yet: its tier waits for a free slot, or for the trackers before it in the tier.</summary>
    Waiting,

    /// <summary>Asked; its answer is awaited.</summary>
    Asking,

    /// <summary>It answered (discovery: with peers; status: it is working).</summary>
    Answered,

    /// <summary>It failed, timed out or is not supported.</summary>
    Failed,

    /// <summary>Asked, then called off unanswered: another tracker of its tier answered first, or the caller stopped.</summary>
    CalledOff,

    /// <summary>Never asked: another tracker of its tier answered before its turn, or the batch ended first.</summary>
    NotAsked,
}
