using System.Net;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Trackers;

/// <summary>Who we are to trackers and how hard discovery tries.</summary>
public sealed record TrackerDiscoveryOptions
{
    /// <summary>Announced as our port while the session does not listen yet (the conventional BitTorrent port).</summary>
    public const int DefaultPort = 6881;

    public required PeerId PeerId { get; init; }

    public required int Port { get; init; }

    public uint Key { get; init; }

    public int NumWant { get; init; } = 200;

    public TrackerEvent Event { get; init; } = TrackerEvent.Started;

    public TrackerOptions Tracker { get; init; } = TrackerOptions.Default;

    /// <summary>How many tiers (or, for status, trackers) are asked at once.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Our own endpoints: never reported as peers. The local address and port are added when both are known.</summary>
    public IReadOnlyCollection<IPEndPoint> OwnEndPoints { get; init; } = [];

    /// <summary>Options from the process-wide session: its peer id, key and listen port.</summary>
    public static TrackerDiscoveryOptions FromSession(TorrentSession session, TimeSpan timeout)
        => new()
        {
            PeerId = session.PeerId,
            Key = session.TrackerKey,
            Port = session.ListenPort > 0 ? session.ListenPort : DefaultPort,
            Tracker = TrackerOptions.ForInteractive(timeout),
        };
}
