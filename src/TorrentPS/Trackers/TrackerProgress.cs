using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Trackers;

/// <summary>
/// The progress activity of asking one torrent's trackers: maps the engine's <see cref="TrackerBatchProgress"/>
/// snapshots to throttled updates (<c>2 of 5 trackers answered, 1 failed, 37 peers</c>, the seconds the engine says
/// can remain, the tracker that finished last) and ends with a Completed update carrying the final counts. The counts,
/// the total and the time are the engine's, which knows its tiers, stagger, cap and deadline. Thread-safe.
/// </summary>
internal sealed class TrackerProgress(TransferProgress progress, TrackerAskMode mode)
{
    /// <summary>The unit the activity counts in.</summary>
    public static ProgressUnit Unit { get; } = ProgressUnit.Items("trackers");

    public int ActivityId => progress.ActivityId;

    /// <summary>The activity text: <c>Asking trackers of ubuntu.iso</c>, or of the info hash when the torrent has no name.</summary>
    public static string ActivityFor(string? name, InfoHash infoHash)
        => "Asking trackers of " + (string.IsNullOrWhiteSpace(name) ? infoHash.Hex : name);

    /// <summary>A feed the engine writes its snapshots to, drained into this activity's updates until it is disposed.</summary>
    public SnapshotFeed<TrackerBatchProgress> Feed(Action<ProgressUpdate> write) => new(Report, Complete, write);

    /// <summary>The update for <paramref name="snapshot"/>, or null when the throttle holds it back.</summary>
    public ProgressUpdate? Report(TrackerBatchProgress snapshot) => progress.Report(new ProgressSnapshot(snapshot.Finished, snapshot.Expected)
    {
        Status = Status(snapshot),
        SecondsRemaining = ProgressSnapshot.Seconds(snapshot.TimeRemaining),
        CurrentOperation = snapshot.LastFinished is { } last ? last.Url + (last.State == TrackerAskState.Answered ? " answered" : " failed") : null,
    });

    /// <summary>The Completed update with the last counts reported.</summary>
    public ProgressUpdate? Complete() => progress.Complete();

    private string Status(TrackerBatchProgress snapshot)
    {
        var status = string.Format(
            CultureInfo.InvariantCulture,
            "{0} of {1} {2} answered, {3} failed",
            snapshot.Answered,
            snapshot.Expected,
            snapshot.Expected == 1 ? "tracker" : "trackers",
            snapshot.Failed);
        return mode == TrackerAskMode.Discovery
            ? status + string.Format(CultureInfo.InvariantCulture, ", {0} {1}", snapshot.Peers, snapshot.Peers == 1 ? "peer" : "peers")
            : status;
    }
}
