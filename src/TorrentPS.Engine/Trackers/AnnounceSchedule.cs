namespace TorrentPS.Engine.Trackers;

/// <summary>
/// When one tracker may and should be announced to next. Follows the tracker's <c>interval</c> for regular
/// announces, never goes below its <c>min interval</c> (or <see cref="MinimumInterval"/>), and backs off
/// exponentially after failures. Not thread-safe: its owner (a tracker's state) serialises access.
/// </summary>
internal sealed class AnnounceSchedule
{
    /// <summary>The interval assumed until a tracker names one.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(30);

    public AnnounceSchedule(TimeSpan? minimumInterval = null, TimeSpan? retryBase = null, TimeSpan? maximumRetry = null)
    {
        MinimumInterval = minimumInterval ?? TimeSpan.FromMinutes(1);
        RetryBase = retryBase ?? TimeSpan.FromSeconds(30);
        MaximumRetry = maximumRetry ?? TimeSpan.FromHours(1);
    }

    /// <summary>Our own floor under any interval a tracker asks for.</summary>
    public TimeSpan MinimumInterval { get; }

    /// <summary>The wait after a first failure; it doubles with every further one.</summary>
    public TimeSpan RetryBase { get; }

    public TimeSpan MaximumRetry { get; }

    public DateTimeOffset? LastAnnounce { get; private set; }

    /// <summary>The interval in force: the tracker's, floored by its min interval and ours.</summary>
    public TimeSpan Interval { get; private set; } = DefaultInterval;

    /// <summary>The tracker's <c>min interval</c>, when it gave one.</summary>
    public TimeSpan? MinInterval { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    /// <summary>When the next regular announce is due; <see cref="DateTimeOffset.MinValue"/> before the first.</summary>
    public DateTimeOffset NextAnnounce { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>The earliest an extra announce (say, <c>completed</c>) may go out without breaking the min interval.</summary>
    public DateTimeOffset EarliestAnnounce
        => LastAnnounce is { } last && ConsecutiveFailures == 0 ? last + Floor(MinInterval ?? TimeSpan.Zero) : DateTimeOffset.MinValue;

    /// <summary>True when a regular announce is due at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => now >= NextAnnounce;

    /// <summary>
    /// True when an announce of <paramref name="trackerEvent"/> may go out at <paramref name="now"/>: regular ones when
    /// due, <c>stopped</c> always, other events once the min interval has passed.
    /// </summary>
    public bool MayAnnounce(DateTimeOffset now, TrackerEvent trackerEvent) => trackerEvent switch
    {
        TrackerEvent.None => IsDue(now),
        TrackerEvent.Stopped => true,
        _ => now >= EarliestAnnounce,
    };

    /// <summary>The time left until a regular announce is due (zero when it is).</summary>
    public TimeSpan TimeUntilNext(DateTimeOffset now) => NextAnnounce <= now ? TimeSpan.Zero : NextAnnounce - now;

    public void RecordSuccess(DateTimeOffset now, TimeSpan interval, TimeSpan? minInterval)
    {
        LastAnnounce = now;
        ConsecutiveFailures = 0;
        MinInterval = minInterval is { } min && min > TimeSpan.Zero ? min : null;
        var effective = interval > TimeSpan.Zero ? interval : DefaultInterval;
        Interval = Floor(MinInterval is { } m && m > effective ? m : effective);
        NextAnnounce = now + Interval;
    }

    /// <summary>
    /// The torrent needs peers: the next regular announce becomes due as early as the tracker allows (its min interval,
    /// and ours, after the last answer). A tracker backing off after failures keeps its back-off.
    /// </summary>
    public void Expedite()
    {
        if (ConsecutiveFailures == 0 && LastAnnounce is { } last)
        {
            var earliest = last + Floor(MinInterval ?? TimeSpan.Zero);
            if (earliest < NextAnnounce)
            {
                NextAnnounce = earliest;
            }
        }
    }

    public void RecordFailure(DateTimeOffset now)
    {
        ConsecutiveFailures++;
        var exponent = Math.Min(ConsecutiveFailures - 1, 16);
        var wait = TimeSpan.FromTicks((long)Math.Min(RetryBase.Ticks * Math.Pow(2, exponent), MaximumRetry.Ticks));
        NextAnnounce = now + wait;
    }

    private TimeSpan Floor(TimeSpan interval) => interval < MinimumInterval ? MinimumInterval : interval;
}
