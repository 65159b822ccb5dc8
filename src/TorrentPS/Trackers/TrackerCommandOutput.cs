using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Trackers;

/// <summary>
/// Where the tracker cmdlets' results go: the cmdlet hands in its (queued) pipeline writes, and how it starts a
/// progress activity (so the activity is completed however the call ends) and writes its updates. Without
/// <paramref name="StartProgress"/>, activities stand alone; without <paramref name="Progress"/>, updates are dropped.
/// </summary>
internal sealed record TrackerCommandOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Warning,
    Action<string> Verbose,
    Func<string, ProgressUnit, TransferProgress>? StartProgress = null,
    Action<ProgressUpdate?>? Progress = null);

/// <summary>Counts what one run wrote, for tests and verbose summaries.</summary>
internal sealed record PeerDiscoverySummary(int Peers, int TrackersAnswered, int TrackersFailed)
{
    public static PeerDiscoverySummary Empty { get; } = new(0, 0, 0);

    public PeerDiscoverySummary Add(TorrentPeer? peer, bool answered, bool failed)
        => new(Peers + (peer is null ? 0 : 1), TrackersAnswered + (answered ? 1 : 0), TrackersFailed + (failed ? 1 : 0));
}
