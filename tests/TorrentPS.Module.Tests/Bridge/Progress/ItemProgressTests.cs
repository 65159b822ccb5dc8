using TorrentPS.Bridge.Progress;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Bridge.Progress;

/// <summary>TransferProgress counting items (trackers, peers) rather than bytes.</summary>
public class ItemProgressTests
{
    private static readonly ProgressUnit Peers = ProgressUnit.Items("peers");

    [Fact]
    public void Items_are_counted_by_name_with_the_engines_time_remaining()
    {
        var progress = new TransferProgress("Handshaking", 40, time: new ManualTimeProvider(), unit: Peers);

        var update = progress.Report(new ProgressSnapshot(10, 40) { SecondsRemaining = 6 });

        Assert.Equal(("10 of 40 peers", 25, 6), (update!.StatusDescription, update.PercentComplete, update.SecondsRemaining));
    }

    [Fact]
    public void A_unit_formats_amounts_and_rates()
    {
        Assert.Equal(("3 trackers", "0.5 trackers/s", "12 trackers/s"), (ProgressUnit.Items("trackers").FormatAmount(3), ProgressUnit.Items("trackers").FormatRate(0.5), ProgressUnit.Items("trackers").FormatRate(12.2)));
        Assert.Equal(("1.50 KiB", "1.00 KiB/s"), (ProgressUnit.Bytes.FormatAmount(1536), ProgressUnit.Bytes.FormatRate(1024)));
        Assert.Throws<ArgumentException>(() => ProgressUnit.Items(" "));
    }

    [Fact]
    public void The_callers_status_replaces_the_units_text_and_the_engines_rate_follows_it()
    {
        var progress = new TransferProgress("t", 10, time: new ManualTimeProvider(), minInterval: TimeSpan.Zero, unit: Peers);

        var update = progress.Report(new ProgressSnapshot(4, 10) { Status = "4 done", RatePerSecond = 2, CurrentOperation = "127.0.0.1:1 answered" });

        Assert.Equal(("4 done, 2.0 peers/s", "127.0.0.1:1 answered"), (update!.StatusDescription, update.CurrentOperation));
    }

    [Fact]
    public void The_total_may_change_as_more_becomes_known()
    {
        var progress = new TransferProgress("t", 4, time: new ManualTimeProvider(), minInterval: TimeSpan.Zero, unit: Peers);
        Assert.Equal(50, progress.Report(new ProgressSnapshot(2, 4))!.PercentComplete);
        Assert.Equal(20, progress.Report(new ProgressSnapshot(2, 10))!.PercentComplete);
        Assert.Equal(10, progress.Total);
        progress.Report(new ProgressSnapshot(3, 10));
        Assert.Equal((3, 10), (progress.Completed, progress.Total));
    }

    [Fact]
    public void Snapshots_are_throttled_to_four_a_second_and_the_completed_update_carries_the_last_state()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 0, time: time, unit: Peers);
        var written = 0;
        for (var i = 1; i <= 50; i++)
        {
            if (progress.Report(new ProgressSnapshot(i, 50) { Status = $"{i} of 50" }) is not null)
            {
                written++;
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(4, written); // one second of reports
        var done = progress.Complete();
        Assert.NotNull(done);
        Assert.True(done.IsCompleted);
        Assert.Equal("50 of 50", done.StatusDescription);
        Assert.Equal((100, 0), (done.PercentComplete, done.SecondsRemaining));
        Assert.Null(done.CurrentOperation);
    }

    [Fact]
    public void Without_a_callers_status_the_completed_update_says_Completed()
        => Assert.Equal("Completed", new TransferProgress("t", 3, time: new ManualTimeProvider(), unit: Peers).Complete()!.StatusDescription);

    [Fact]
    public void Children_count_in_their_parents_unit_unless_told()
    {
        var parent = new TransferProgress("torrent", 5, time: new ManualTimeProvider(), unit: ProgressUnit.Items("trackers"));
        Assert.Same(parent.Unit, parent.CreateChild("tier", 2).Unit);
        Assert.True(parent.CreateChild("file", 100, ProgressUnit.Bytes).Unit.IsBytes);
    }
}
