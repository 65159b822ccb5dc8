using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Peers;

/// <summary>
/// Invoke-PeerHandshake's progress, one activity for the whole batch: maps the engine's
/// <see cref="HandshakeBatchProgress"/> snapshots to throttled updates (<c>12 of 40 peers: 9 answered, 3 failed</c>,
/// followed by the engine's rate, <c>2.5 peers/s</c>), the engine's estimate of the time left (by the rate, capped by what
/// the rest can take by the timeouts), and a Completed update with the final counts. Thread-safe.
/// </summary>
internal sealed class HandshakeProgress(TransferProgress progress)
{
    /// <summary>The activity text.</summary>
    public const string Activity = "Handshaking with peers";

    /// <summary>The unit the activity counts in.</summary>
    public static ProgressUnit Unit { get; } = ProgressUnit.Items("peers");

    public int ActivityId => progress.ActivityId;

    /// <summary>A feed the engine writes its snapshots to, drained into this activity's updates until it is disposed.</summary>
    public SnapshotFeed<HandshakeBatchProgress> Feed(Action<ProgressUpdate> write) => new(Report, Complete, write);

    /// <summary>The update for <paramref name="snapshot"/>, or null when the throttle holds it back.</summary>
    public ProgressUpdate? Report(HandshakeBatchProgress snapshot) => progress.Report(new ProgressSnapshot(snapshot.Finished, snapshot.Expected)
    {
        Status = string.Format(
            CultureInfo.InvariantCulture,
            "{0} of {1} {2}: {3} answered, {4} failed",
            snapshot.Finished,
            snapshot.Expected,
            snapshot.Expected == 1 ? "peer" : "peers",
            snapshot.Succeeded,
            snapshot.Failed),
        RatePerSecond = snapshot.RatePerSecond,
        SecondsRemaining = ProgressSnapshot.Seconds(snapshot.EstimatedRemaining),
        CurrentOperation = snapshot.LastFinished is { } peer ? peer.EndPointText + (snapshot.LastSucceeded ? " answered" : " failed") : null,
    });

    /// <summary>The Completed update with the last counts reported.</summary>
    public ProgressUpdate? Complete() => progress.Complete();
}
