using TorrentPS.Bridge.Progress;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Bridge.Progress;

public class ProgressThrottleTests
{
    [Fact]
    public void Lets_at_most_four_updates_through_per_second()
    {
        var time = new ManualTimeProvider();
        var throttle = new ProgressThrottle(time);
        var passed = 0;
        for (var ms = 0; ms < 1000; ms += 10)
        {
            if (throttle.TryEnter())
            {
                passed++;
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(4, passed);
    }

    [Fact]
    public void The_first_update_always_passes()
        => Assert.True(new ProgressThrottle(new ManualTimeProvider()).TryEnter());

    [Fact]
    public void An_update_passes_again_once_the_interval_has_elapsed()
    {
        var time = new ManualTimeProvider();
        var throttle = new ProgressThrottle(time);
        Assert.True(throttle.TryEnter());
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(throttle.TryEnter());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.TryEnter());
    }

    [Fact]
    public void Concurrent_callers_let_only_one_update_through_per_interval()
    {
        var throttle = new ProgressThrottle(new ManualTimeProvider());
        var passed = 0;
        Parallel.For(0, 1000, _ =>
        {
            if (throttle.TryEnter())
            {
                Interlocked.Increment(ref passed);
            }
        });
        Assert.Equal(1, passed);
    }
}
