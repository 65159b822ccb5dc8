using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>A snapshot of one tracker of one torrent: what it said last, and when we ask it again.</summary>
public sealed record TrackerStatus
{
    public required string Url { get; init; }

    /// <summary>The BEP 12 tier, counted from 0.</summary>
    public required int Tier { get; init; }

    public required InfoHash InfoHash { get; init; }

    public required TrackerStatusKind Status { get; init; }

    public long? Seeders { get; init; }

    public long? Leechers { get; init; }

    /// <summary>Completed downloads the tracker has counted (scrape only).</summary>
    public long? Downloaded { get; init; }

    /// <summary>The announce interval in force, once the tracker has answered an announce.</summary>
    public TimeSpan? Interval { get; init; }

    public TimeSpan? MinInterval { get; init; }

    public DateTimeOffset? LastAnnounce { get; init; }

    public DateTimeOffset? NextAnnounce { get; init; }

    public string? LastError { get; init; }

    /// <summary>The tracker's last <c>warning message</c>.</summary>
    public string? Warning { get; init; }

    public override string ToString() => $"{Url} ({Status})";
}
