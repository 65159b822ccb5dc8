using TorrentPS.Bridge.Progress;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Bridge.Progress;

/// <summary>TransferProgress counting items (trackers, peers) rather than bytes.</summary>
public class ItemProgressTests
{
    private static readonly ProgressUnit Peers = ProgressUnit.Items("peers");

    [Fact]
    public void Items_are_counted_by_name_with_a_rate_per_second_and_time_remaining()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("Handshaking", 40, time: time, unit: Peers);
        Assert.NotNull(progress.Report(0));
        time.Advance(TimeSpan.FromSeconds(2));
        var update = progress.Report(10);

        Assert.NotNull(update);
        Assert.Equal("10 of 40 peers, 5.0 peers/s", update.StatusDescription);
        Assert.Equal(25, update.PercentComplete);
        Assert.Equal(6, update.SecondsRemaining);
        Assert.Equal(5, progress.RatePerSecond, precision: 3);
    }

    [Fact]
    public void A_unit_formats_amounts_and_rates()
    {
        Assert.Equal(("3 trackers", "0.5 trackers/s", "12 trackers/s"), (ProgressUnit.Items("trackers").FormatAmount(3), ProgressUnit.Items("trackers").FormatRate(0.5), ProgressUnit.Items("trackers").FormatRate(12.2)));
        Assert.Equal(("1.50 KiB", "1.00 KiB/s"), (ProgressUnit.Bytes.FormatAmount(1536), ProgressUnit.Bytes.FormatRate(1024)));
        Assert.Throws<ArgumentException>(() => ProgressUnit.Items(" "));
    }

    [Fact]
    public void The_callers_status_replaces_the_units_text_and_gets_the_rate_only_when_asked()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 10, time: time, minInterval: TimeSpan.Zero, unit: Peers);
        time.Advance(TimeSpan.FromSeconds(1));
        var withRate = progress.Report(new ProgressSnapshot(2, 10) { Status = "2 of 10 peers: 2 answered, 0 failed" });
        time.Advance(TimeSpan.FromSeconds(1));
        var withoutRate = progress.Report(new ProgressSnapshot(4, 10) { Status = "4 done", ShowRate = false, CurrentOperation = "127.0.0.1:1 answered" });

        Assert.Equal("2 of 10 peers: 2 answered, 0 failed, 2.0 peers/s", withRate!.StatusDescription);
        Assert.Equal("4 done", withoutRate!.StatusDescription);
        Assert.Equal("127.0.0.1:1 answered", withoutRate.CurrentOperation);
    }

    [Fact]
    public void The_total_may_change_as_more_becomes_known()
    {
        var progress = new TransferProgress("t", 4, time: new ManualTimeProvider(), minInterval: TimeSpan.Zero, unit: Peers);
        Assert.Equal(50, progress.Report(new ProgressSnapshot(2, 4))!.PercentComplete);
        Assert.Equal(20, progress.Report(new ProgressSnapshot(2, 10))!.PercentComplete);
        Assert.Equal(10, progress.Total);
        progress.Report(3);
        Assert.Equal((3, 10), (progress.Completed, progress.Total));
    }

    [Fact]
    public void A_limit_stands_in_while_there_is_no_rate_and_caps_the_estimate()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 100, time: time, minInterval: TimeSpan.Zero, unit: Peers);
        Assert.Equal(30, progress.Report(new ProgressSnapshot(0, 100) { SecondsRemainingLimit = 30 })!.SecondsRemaining);
        time.Advance(TimeSpan.FromSeconds(1));
        // 1 peer/s: 99 s by the rate, but no more than 20 s by the limit.
        Assert.Equal(20, progress.Report(new ProgressSnapshot(1, 100) { SecondsRemainingLimit = 20 })!.SecondsRemaining);
        // 2 peers/s: 49 s, well under a limit of 500 s.
        Assert.Equal(49, progress.Report(new ProgressSnapshot(2, 100) { SecondsRemainingLimit = 500 })!.SecondsRemaining);
    }

    [Fact]
    public void The_callers_own_estimate_wins()
    {
        var time = new ManualTimeProvider();
        var progress = new TransferProgress("t", 100, time: time, minInterval: TimeSpan.Zero, unit: Peers);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(7, progress.Report(new ProgressSnapshot(50, 100) { SecondsRemaining = 7, SecondsRemainingLimit = 3 })!.SecondsRemaining);
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
