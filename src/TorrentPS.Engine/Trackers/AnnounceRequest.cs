using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>What we tell a tracker in one announce. The tracker id it handed out is added by the client.</summary>
internal sealed record AnnounceRequest
{
    /// <summary>What a magnet link announces as <c>left</c> before its size is known: trackers read 0 as a seeder.</summary>
    public const long UnknownLengthPlaceholder = 16384;

    public required InfoHash InfoHash { get; init; }

    public required PeerId PeerId { get; init; }

    /// <summary>The TCP port peers can reach us on.</summary>
    public required int Port { get; init; }

    public long Uploaded { get; init; }

    public long Downloaded { get; init; }

    public long Left { get; init; }

    public TrackerEvent Event { get; init; }

    /// <summary>How many peers we ask for; negative lets the tracker choose.</summary>
    public int NumWant { get; init; } = 200;

    /// <summary>The session's random key, so the tracker recognises us across address changes.</summary>
    public uint Key { get; init; }
}
