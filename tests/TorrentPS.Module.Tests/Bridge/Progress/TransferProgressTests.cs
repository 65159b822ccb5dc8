using TorrentPS.Bridge.Progress;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Bridge.Progress;

/// <summary>TransferProgress maps the engine's snapshots (counts, its rate, its time left) to throttled updates; it measures nothing.</summary>
public class TransferProgressTests
{
    private const long MiB = 1024 * 1024;

    private static ProgressSnapshot Bytes(long done, long total, double rate = 0, int? seconds = null) => new(done, total) { RatePerSecond = rate, SecondsRemaining = seconds };

    [Fact]
    public void Reports_percent_and_the_engines_rate_and_seconds_remaining()
    {
        var progress = new TransferProgress("ubuntu.iso", 100 * MiB, activityId: 7, time: new ManualTimeProvider());

        var update = progress.Report(Bytes(40 * MiB, 100 * MiB, rate: 10 * MiB, seconds: 6));

        Assert.NotNull(update);
        Assert.Equal((7, "ubuntu.iso", 40, 6), (update.ActivityId, update.Activity, update.PercentComplete, update.SecondsRemaining));
        Assert.Equal("40.0 MiB of 100 MiB at 10.0 MiB/s", update.StatusDescription);
        Assert.False(update.IsCompleted);
        Assert.Equal(-1, update.ParentActivityId);
    }

    [Fact]
    public void Without_a_rate_from_the_engine_none_is_shown_and_the_time_left_is_unknown()
    {
        var update = new TransferProgress("t", 100, time: new ManualTimeProvider()).Report(Bytes(10, 100));

        Assert.Equal(("10 B of 100 B", 10, -1), (update!.StatusDescription, update.PercentComplete, update.SecondsRemaining));
    }

    [Fact]
    public void Throttles_reports_to_four_per_second()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 1000 * MiB, time: time);
        var written = 0;
        for (var i = 0; i < 100; i++)
        {
            if (progress.Report(Bytes(i * MiB, 1000 * MiB)) is not null)
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
        var progress = new TransferProgress("t", 10, time: new ManualTimeProvider());
        Assert.NotNull(progress.Report(Bytes(5, 10, seconds: 3)));
        var done = progress.Complete();
        Assert.NotNull(done);
        Assert.True(done.IsCompleted);
        Assert.Equal((100, 0), (done.PercentComplete, done.SecondsRemaining));
        Assert.Null(progress.Complete());
        Assert.Null(progress.Report(Bytes(10, 10)));
    }

    [Fact]
    public void Unknown_totals_report_no_percent()
    {
        var update = new TransferProgress("metadata", 0, time: new ManualTimeProvider()).Report(Bytes(2048, 0));
        Assert.Equal((-1, -1), (update!.PercentComplete, update.SecondsRemaining));
        Assert.Equal("2.00 KiB", update.StatusDescription);
    }

    [Fact]
    public void Children_point_to_their_parent_and_get_their_own_activity_ids()
    {
        var parent = new TransferProgress("torrent", 100, time: new ManualTimeProvider());
        var first = parent.CreateChild("file a", 60);
        var second = parent.CreateChild("file b", 40);
        Assert.Equal(parent.ActivityId, first.ParentActivityId);
        Assert.Equal(parent.ActivityId, second.Report(Bytes(1, 40))!.ParentActivityId);
        Assert.Equal(3, new[] { parent.ActivityId, first.ActivityId, second.ActivityId }.Distinct().Count());
    }

    [Fact]
    public void Percent_never_exceeds_100_when_more_than_the_total_is_reported()
    {
        var update = new TransferProgress("t", 10, time: new ManualTimeProvider()).Report(Bytes(25, 10));
        Assert.Equal((100, 0), (update!.PercentComplete, update.SecondsRemaining));
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
