namespace TorrentPS.Engine.Trackers;

/// <summary>One tracker of a discovery or status query, and where it stands.</summary>
/// <param name="Url">The tracker's announce URL.</param>
/// <param name="Tier">Its tier (BEP 12), from 0.</param>
/// <param name="State">Where it stands.</param>
public sealed record TrackerAsk(string Url, int Tier, TrackerAskState State)
{
    /// <summary>Whether it answered or failed: it counts as done.</summary>
    public bool IsFinished => State is TrackerAskState.Answered or TrackerAskState.Failed;
}
