using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>A snapshot of one tracker of one torrent: what it said last, and when we ask it again.</summary>
public sealed record TrackerStatus
{
    public required string Url { get; init; }

    /// <summary>The BEP 12 tier, counted from 0.</summary>
    public required int Tier { get; init; }

    /// <summary>The info hash as 40 lowercase hex digits.</summary>
    public string InfoHash { get => Hash.Hex; init => Hash = Metainfo.InfoHash.Parse(value); }

    internal InfoHash Hash { get; init; } = null!;

    public required TrackerStatusKind Status { get; init; }

    public long? Seeders { get; init; }

    public long? Leechers { get; init; }

    /// <summary>Completed downloads the tracker has counted (scrape only).</summary>
    public long? Downloaded { get; init; }

    /// <summary>The announce interval in force, once the tracker has answered an announce.</summary>
    /// <summary>Seconds the tracker asks us to wait between announces.</summary>
    public double? Interval { get => IntervalSpan?.TotalSeconds; init => IntervalSpan = Span(value); }

    internal TimeSpan? IntervalSpan { get; init; }

    /// <summary>Seconds the tracker allows at least between announces.</summary>
    public double? MinInterval { get => MinIntervalSpan?.TotalSeconds; init => MinIntervalSpan = Span(value); }

    internal TimeSpan? MinIntervalSpan { get; init; }

    public DateTimeOffset? LastAnnounce { get; init; }

    public DateTimeOffset? NextAnnounce { get; init; }

    public string? LastError { get; init; }

    /// <summary>The tracker's last <c>warning message</c>.</summary>
    public string? Warning { get; init; }

    private static TimeSpan? Span(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    public override string ToString() => $"{Url} ({Status})";
}
