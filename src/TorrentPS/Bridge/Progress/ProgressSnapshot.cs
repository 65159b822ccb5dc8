namespace TorrentPS.Bridge.Progress;

/// <summary>
/// What the engine reported at one moment, for <see cref="TransferProgress.Report(ProgressSnapshot)"/>: how much is
/// done out of how much (the total may change as more becomes known), the rate and time left the engine measured, and
/// optionally the status text. The module measures nothing itself: rates and times come from the engine's snapshots.
/// </summary>
/// <param name="Completed">Done so far, in the activity's unit.</param>
/// <param name="Total">The total now known; 0 or less when unknown (no percent).</param>
public readonly record struct ProgressSnapshot(long Completed, long Total)
{
    /// <summary>The status text; null for the unit's own (<c>40.0 MiB of 100 MiB at 12.0 MiB/s</c>).</summary>
    public string? Status { get; init; }

    /// <summary>The engine's rate in the activity's unit per second; 0 when it gave none (then none is shown).</summary>
    public double RatePerSecond { get; init; }

    /// <summary>The engine's estimate of the seconds left; null when it has none.</summary>
    public int? SecondsRemaining { get; init; }

    /// <summary>What is being done right now (shown under the bar).</summary>
    public string? CurrentOperation { get; init; }

    /// <summary>Seconds for a progress record from the engine's time left (rounded up), or null.</summary>
    public static int? Seconds(TimeSpan? remaining) => remaining is { } left ? (int)Math.Min(int.MaxValue, Math.Ceiling(Math.Max(0, left.TotalSeconds))) : null;
}
