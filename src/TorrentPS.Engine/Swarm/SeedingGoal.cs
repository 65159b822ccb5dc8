using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// When seeding ends: a share ratio (uploaded ÷ length) or a time spent seeding, whichever comes first; or never (until
/// stopped). Says how far seeding has come toward the goal and how long is left at the current upload rate. Owned by
/// the loop; times are <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class SeedingGoal(double? ratio, TimeSpan? time, TimeProvider clock)
{
    private long? _since;

    /// <summary>Whether there is a goal at all (else seeding goes on until stopped).</summary>
    public bool HasGoal => ratio is > 0 || time is { } t && t > TimeSpan.Zero;

    /// <summary>Seeding started (the download completed, or the data was complete from the start).</summary>
    public void Begin(long now) => _since ??= now;

    /// <summary>How long it has seeded in this run.</summary>
    public TimeSpan Seeded(long now) => _since is { } since ? clock.GetElapsedTime(since, now) : TimeSpan.Zero;

    /// <summary>Why seeding is over, or null while it goes on.</summary>
    public string? Reached(long now, long uploaded, long length)
    {
        if (_since is null)
        {
            return null;
        }

        if (ratio is { } r && length > 0 && (double)uploaded / length >= r)
        {
            return $"the share ratio {r:0.##} was reached";
        }

        return time is { } t && Seeded(now) >= t ? $"seeded for {Units.Duration(t)}" : null;
    }

    /// <summary>
    /// How far toward the goal (0 to 1; the nearer of ratio and time) and the time left (the sooner of the two, the ratio's
    /// at <paramref name="uploadRate"/>); nulls without a goal, or a time left that cannot be known yet.
    /// </summary>
    public (double? Done, TimeSpan? Remaining) Progress(long now, long uploaded, long length, double uploadRate)
    {
        double? done = null;
        double? secondsLeft = null;
        if (ratio is { } r && r > 0 && length > 0)
        {
            done = (double)uploaded / length / r;
            if (uploadRate > 0)
            {
                secondsLeft = Math.Max(0, ((r * length) - uploaded) / uploadRate);
            }
        }

        if (time is { } t && t > TimeSpan.Zero)
        {
            var seeded = Seeded(now);
            done = Math.Max(done ?? 0, seeded / t);
            var timeLeft = Math.Max(0, (t - seeded).TotalSeconds);
            secondsLeft = Math.Min(secondsLeft ?? timeLeft, timeLeft);
        }

        return (done is { } d ? Math.Clamp(d, 0, 1) : null, secondsLeft is { } s ? TimeSpan.FromSeconds(Math.Min(s, MaxRemaining)) : null);
    }

    private const double MaxRemaining = 365 * 86400.0;
}
