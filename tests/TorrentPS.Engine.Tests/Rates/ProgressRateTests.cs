using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Rates;

namespace TorrentPS.Engine.Tests.Rates;

/// <summary>The rate and time left of work reported from several threads: one estimator for every progress display.</summary>
public sealed class ProgressRateTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void The_rate_and_the_time_left_follow_what_was_reported_over_the_last_seconds()
    {
        var time = new FakeTimeProvider();
        var rate = new ProgressRate(time);
        Assert.Equal((0, null), rate.Update(0, 100 * MiB));

        for (var second = 1; second <= 4; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            rate.Update(second * 10 * MiB, 100 * MiB);
        }

        var (perSecond, remaining) = rate.Update(40 * MiB, 100 * MiB);
        Assert.Equal(10 * MiB, perSecond, precision: 0);
        Assert.Equal(TimeSpan.FromSeconds(6), remaining);
    }

    [Fact]
    public void Reports_closer_than_a_tenth_of_a_second_keep_the_last_rate_and_a_finished_job_has_no_time_left()
    {
        var time = new FakeTimeProvider();
        var rate = new ProgressRate(time);
        rate.Update(0, 1000);
        time.Advance(TimeSpan.FromSeconds(1));
        var measured = rate.Update(100, 1000).PerSecond;

        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(measured, rate.Update(900, 1000).PerSecond);
        Assert.Equal(TimeSpan.Zero, rate.Update(1000, 1000).Remaining);
    }

    [Fact]
    public void Many_threads_may_report_at_once()
    {
        var rate = new ProgressRate();
        long done = 0;
        Parallel.For(0, 10_000, _ => rate.Update(Interlocked.Add(ref done, 10), 100_000));

        Assert.Equal(TimeSpan.Zero, rate.Update(done, 100_000).Remaining);
    }
}
