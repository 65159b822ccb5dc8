using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Trackers;

/// <summary>One thing peer discovery found out: a new peer, a tracker's answer, warning or failure.</summary>
public sealed class TrackerDiscoveryEvent
{
    private TrackerDiscoveryEvent(TrackerDiscoveryEventKind kind, string? trackerUrl)
    {
        Kind = kind;
        TrackerUrl = trackerUrl;
    }

    public TrackerDiscoveryEventKind Kind { get; }

    public string? TrackerUrl { get; }

    public TorrentPeer? Peer { get; private init; }

    public AnnounceResponse? Response { get; private init; }

    /// <summary>The tracker's warning message.</summary>
    public string? Warning { get; private init; }

    public TorrentPSException? Error { get; private init; }

    public static TrackerDiscoveryEvent ForPeer(TorrentPeer peer) => new(TrackerDiscoveryEventKind.Peer, peer.Tracker) { Peer = peer };

    public static TrackerDiscoveryEvent ForAnswer(string trackerUrl, AnnounceResponse response)
        => new(TrackerDiscoveryEventKind.Answered, trackerUrl) { Response = response };

    public static TrackerDiscoveryEvent ForWarning(string trackerUrl, string warning)
        => new(TrackerDiscoveryEventKind.Warning, trackerUrl) { Warning = warning };

    public static TrackerDiscoveryEvent ForFailure(string trackerUrl, TorrentPSException error)
        => new(TrackerDiscoveryEventKind.Failed, trackerUrl) { Error = error };

    public override string ToString() => Kind switch
    {
        TrackerDiscoveryEventKind.Peer => $"Peer {Peer} from {TrackerUrl ?? "magnet link"}",
        TrackerDiscoveryEventKind.Answered => $"{TrackerUrl} answered with {Response!.Peers.Count} peers",
        TrackerDiscoveryEventKind.Warning => $"{TrackerUrl} warns: {Warning}",
        _ => Error!.Message,
    };
}
