using TorrentPS.Engine.Swarm;

namespace TorrentPS.Trackers;

/// <summary>Where the tracker cmdlets' results go: the cmdlet hands in its (queued) pipeline writes.</summary>
internal sealed record TrackerCommandOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Warning,
    Action<string> Verbose);

/// <summary>Counts what one run wrote, for tests and verbose summaries.</summary>
internal sealed record PeerDiscoverySummary(int Peers, int TrackersAnswered, int TrackersFailed)
{
    public static PeerDiscoverySummary Empty { get; } = new(0, 0, 0);

    public PeerDiscoverySummary Add(TorrentPeer? peer, bool answered, bool failed)
        => new(Peers + (peer is null ? 0 : 1), TrackersAnswered + (answered ? 1 : 0), TrackersFailed + (failed ? 1 : 0));
}
