using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class AnnounceScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_tracker_is_due_at_once()
    {
        var schedule = new AnnounceSchedule();

        Assert.True(schedule.IsDue(T0));
        Assert.True(schedule.MayAnnounce(T0, TrackerEvent.Started));
        Assert.Equal(TimeSpan.Zero, schedule.TimeUntilNext(T0));
    }

    [Fact]
    public void Next_announce_follows_the_trackers_interval()
    {
        var schedule = new AnnounceSchedule();
        schedule.RecordSuccess(T0, TimeSpan.FromMinutes(20), null);

        Assert.Equal(T0.AddMinutes(20), schedule.NextAnnounce);
        Assert.False(schedule.IsDue(T0.AddMinutes(19)));
        Assert.True(schedule.IsDue(T0.AddMinutes(20)));
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.TimeUntilNext(T0.AddMinutes(15)));
    }

    [Fact]
    public void Min_interval_larger_than_interval_wins()
    {
        var schedule = new AnnounceSchedule();
        schedule.RecordSuccess(T0, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));

        Assert.Equal(TimeSpan.FromMinutes(10), schedule.Interval);
        Assert.Equal(T0.AddMinutes(10), schedule.NextAnnounce);
    }

    [Fact]
    public void Intervals_below_our_floor_are_raised_to_it()
    {
        var schedule = new AnnounceSchedule(minimumInterval: TimeSpan.FromMinutes(1));
        schedule.RecordSuccess(T0, TimeSpan.FromSeconds(5), null);

        Assert.Equal(T0.AddMinutes(1), schedule.NextAnnounce);
    }

    [Fact]
    public void Event_announces_wait_for_the_min_interval_but_stopped_never_waits()
    {
        var schedule = new AnnounceSchedule();
        schedule.RecordSuccess(T0, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(5));

        Assert.False(schedule.MayAnnounce(T0.AddMinutes(4), TrackerEvent.Completed));
        Assert.True(schedule.MayAnnounce(T0.AddMinutes(5), TrackerEvent.Completed));
        Assert.True(schedule.MayAnnounce(T0.AddSeconds(1), TrackerEvent.Stopped));
        Assert.False(schedule.MayAnnounce(T0.AddMinutes(5), TrackerEvent.None));
    }

    [Fact]
    public void Failures_back_off_exponentially_up_to_the_cap()
    {
        var schedule = new AnnounceSchedule(retryBase: TimeSpan.FromSeconds(30), maximumRetry: TimeSpan.FromMinutes(5));
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            schedule.RecordFailure(T0);
            waits.Add(schedule.NextAnnounce - T0);
        }

        Assert.Equal([30, 60, 120, 240, 300, 300], waits.Select(w => (int)w.TotalSeconds));
        Assert.Equal(6, schedule.ConsecutiveFailures);

        schedule.RecordSuccess(T0, TimeSpan.FromMinutes(15), null);
        Assert.Equal(0, schedule.ConsecutiveFailures);
        Assert.Equal(T0.AddMinutes(15), schedule.NextAnnounce);
    }
}
