namespace TorrentPS.Bridge.Progress;

/// <summary>
/// What a caller that counts knows at one moment, for <see cref="TransferProgress.Report(ProgressSnapshot)"/>:
/// how much is done out of how much (the total may change as more becomes known), and optionally its own status
/// text and time estimate.
/// </summary>
/// <param name="Completed">Done so far, in the activity's unit.</param>
/// <param name="Total">The total now known; 0 or less when unknown (no percent, no rate-based time remaining).</param>
public readonly record struct ProgressSnapshot(long Completed, long Total)
{
    /// <summary>The status text; null for the unit's own (<c>3 of 10 peers</c>).</summary>
    public string? Status { get; init; }

    /// <summary>Whether the rate is added to <see cref="Status"/> (<c>…, 2.5 peers/s</c>); the unit's own text always has it.</summary>
    public bool ShowRate { get; init; } = true;

    /// <summary>The caller's own estimate of the seconds left; null to estimate from the rate.</summary>
    public int? SecondsRemaining { get; init; }

    /// <summary>The most seconds that can be left (e.g. from timeouts): caps the rate-based estimate and stands in while there is no rate.</summary>
    public int? SecondsRemainingLimit { get; init; }

    /// <summary>What is being done right now (shown under the bar).</summary>
    public string? CurrentOperation { get; init; }

    /// <summary>Shown whatever the throttle says: the first update of a new phase (a torrent that starts seeding), so no phase goes unseen.</summary>
    public bool NewPhase { get; init; }
}
