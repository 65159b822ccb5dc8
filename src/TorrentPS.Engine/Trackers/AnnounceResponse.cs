using System.Net;

namespace TorrentPS.Engine.Trackers;

/// <summary>A tracker's answer to an announce.</summary>
public sealed record AnnounceResponse
{
    /// <summary>Seconds to wait before the next regular announce.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>The tracker's <c>min interval</c>: never announce more often than this.</summary>
    public TimeSpan? MinInterval { get; init; }

    /// <summary><c>complete</c>: peers with the whole torrent.</summary>
    public long? Seeders { get; init; }

    /// <summary><c>incomplete</c>: peers still downloading.</summary>
    public long? Leechers { get; init; }

    /// <summary><c>tracker id</c>, to echo back in later announces.</summary>
    public string? TrackerId { get; init; }

    /// <summary><c>warning message</c>: the announce worked, but the tracker has something to say.</summary>
    public string? WarningMessage { get; init; }

    /// <summary>IPv4 and IPv6 peers, in the order the tracker listed them.</summary>
    public required IReadOnlyList<IPEndPoint> Peers { get; init; }
}
