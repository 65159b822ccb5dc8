using TorrentPS.Bridge.Progress;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Bridge.Progress;

public class TransferProgressTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Reports_percent_rate_and_seconds_remaining()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("ubuntu.iso", 100 * MiB, activityId: 7, time: time);
        Assert.NotNull(progress.Report(0));
        ProgressUpdate? update = null;
        for (var second = 1; second <= 4; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            update = progress.Report(second * 10 * MiB) ?? update;
        }

        Assert.NotNull(update);
        Assert.Equal(7, update.ActivityId);
        Assert.Equal("ubuntu.iso", update.Activity);
        Assert.Equal(40, update.PercentComplete);
        Assert.Equal(10 * MiB, progress.RatePerSecond, precision: 0);
        Assert.Equal(6, update.SecondsRemaining);
        Assert.Equal("40.0 MiB of 100 MiB at 10.0 MiB/s", update.StatusDescription);
        Assert.False(update.IsCompleted);
        Assert.Equal(-1, update.ParentActivityId);
    }

    [Fact]
    public void Throttles_reports_to_four_per_second()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 1000 * MiB, time: time);
        var written = 0;
        for (var i = 0; i < 100; i++)
        {
            if (progress.Report(i * MiB) is not null)
            {
                written++;
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(8, written); // 2 seconds of reports
    }

    [Fact]
    public void Always_ends_with_one_completed_update_even_right_after_a_report()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 10, time: time);
        Assert.NotNull(progress.Report(5));
        var done = progress.Complete();
        Assert.NotNull(done);
        Assert.True(done.IsCompleted);
        Assert.Equal(100, done.PercentComplete);
        Assert.Equal(0, done.SecondsRemaining);
        Assert.Null(progress.Complete());
        Assert.Null(progress.Report(10));
    }

    [Fact]
    public void Unknown_totals_report_no_percent_and_no_time_remaining()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("metadata", 0, time: time);
        time.Advance(TimeSpan.FromSeconds(1));
        var update = progress.Report(2048);
        Assert.NotNull(update);
        Assert.Equal(-1, update.PercentComplete);
        Assert.Equal(-1, update.SecondsRemaining);
        Assert.StartsWith("2.00 KiB", update.StatusDescription);
    }

    [Fact]
    public void No_rate_yet_means_seconds_remaining_is_unknown()
    {
        var progress = new TransferProgress("t", 100, time: new ManualTimeProvider());
        var update = progress.Report(10);
        Assert.NotNull(update);
        Assert.Equal(10, update.PercentComplete);
        Assert.Equal(-1, update.SecondsRemaining);
    }

    [Fact]
    public void The_rate_follows_recent_samples_not_the_whole_history()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 1000 * MiB, time: time, rateWindow: TimeSpan.FromSeconds(2));
        for (var s = 1; s <= 10; s++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            progress.Report(s * 10 * MiB); // 10 MiB/s for ten seconds
        }

        for (var s = 1; s <= 5; s++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            progress.Report((100 + s) * MiB); // then 1 MiB/s
        }

        Assert.InRange(progress.RatePerSecond, 0.9 * MiB, 1.1 * MiB);
    }

    [Fact]
    public void Children_point_to_their_parent_and_get_their_own_activity_ids()
    {
        var parent = new TransferProgress("torrent", 100, time: new ManualTimeProvider());
        var first = parent.CreateChild("file a", 60);
        var second = parent.CreateChild("file b", 40);
        Assert.Equal(parent.ActivityId, first.ParentActivityId);
        Assert.Equal(parent.ActivityId, second.Report(1)!.ParentActivityId);
        Assert.Equal(3, new[] { parent.ActivityId, first.ActivityId, second.ActivityId }.Distinct().Count());
    }

    [Fact]
    public void Percent_never_exceeds_100_when_more_than_the_total_is_reported()
    {
        var update = new TransferProgress("t", 10, time: new ManualTimeProvider()).Report(25);
        Assert.Equal(100, update!.PercentComplete);
    }

    [Fact]
    public void An_activity_cannot_be_its_own_parent()
        => Assert.Throws<ArgumentException>(() => new TransferProgress("t", 1, activityId: 3, parentActivityId: 3));

    [Fact]
    public void Activity_ids_are_positive_and_unique()
    {
        var ids = Enumerable.Range(0, 100).AsParallel().Select(_ => ProgressActivityIds.Next()).ToArray();
        Assert.All(ids, id => Assert.True(id > 0));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }
}
