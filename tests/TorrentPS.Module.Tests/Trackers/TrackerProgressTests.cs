using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Module.Tests.Support;
using TorrentPS.Trackers;

namespace TorrentPS.Module.Tests.Trackers;

/// <summary>
/// The tracker cmdlets' progress maps the engine's snapshots and throttles them; the counts, the total and the time
/// remaining are the engine's (its own tests pin how it schedules them).
/// </summary>
public class TrackerProgressTests
{
    private const string A1 = "udp://a1:1/announce";
    private const string A2 = "udp://a2:1/announce";
    private static readonly InfoHash Hash = InfoHash.Parse("0123456789abcdef0123456789abcdef01234567");
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TrackerProgress Create(TrackerAskMode mode, TimeSpan? minInterval = null)
        => new(new TransferProgress("Asking trackers of t", 0, time: new ManualTimeProvider(), minInterval: minInterval ?? TimeSpan.Zero, unit: TrackerProgress.Unit), mode);

    private static TrackerBatchProgress Snapshot(int expected, int answered, int failed, int peers = 0, TrackerAsk? last = null, int secondsLeft = 30) => new()
    {
        InfoHash = Hash,
        Trackers = [],
        Expected = expected,
        Answered = answered,
        Failed = failed,
        Peers = peers,
        LastFinished = last,
        At = Start,
        Deadline = Start.AddSeconds(30),
        EndsBy = Start.AddSeconds(secondsLeft),
    };

    [Fact]
    public void The_activity_names_the_torrent_or_else_its_info_hash()
    {
        Assert.Equal("Asking trackers of ubuntu.iso", TrackerProgress.ActivityFor("ubuntu.iso", Hash));
        Assert.Equal("Asking trackers of 0123456789abcdef0123456789abcdef01234567", TrackerProgress.ActivityFor(null, Hash));
        Assert.Equal("Asking trackers of 0123456789abcdef0123456789abcdef01234567", TrackerProgress.ActivityFor(" ", Hash));
    }

    [Fact]
    public void Discovery_shows_the_engine_s_counts_its_time_remaining_and_the_tracker_that_finished_last()
    {
        var trackers = Create(TrackerAskMode.Discovery);

        var first = trackers.Report(Snapshot(5, 0, 0, secondsLeft: 14));
        Assert.Equal(("0 of 5 trackers answered, 0 failed, 0 peers", 0, 14, null), (first!.StatusDescription, first.PercentComplete, first.SecondsRemaining, first.CurrentOperation));

        var update = trackers.Report(Snapshot(4, 1, 1, peers: 37, last: new TrackerAsk(A1, 0, TrackerAskState.Answered), secondsLeft: 9));
        Assert.Equal("1 of 4 trackers answered, 1 failed, 37 peers", update!.StatusDescription);
        Assert.Equal((50, 9), (update.PercentComplete, update.SecondsRemaining));
        Assert.Equal(A1 + " answered", update.CurrentOperation);
        Assert.False(update.IsCompleted);

        Assert.Equal(A2 + " failed", trackers.Report(Snapshot(4, 1, 2, last: new TrackerAsk(A2, 0, TrackerAskState.Failed)))!.CurrentOperation);
    }

    [Fact]
    public void Status_leaves_the_peers_out_and_one_tracker_is_singular()
    {
        Assert.Equal("1 of 3 trackers answered, 1 failed", Create(TrackerAskMode.Status).Report(Snapshot(3, 1, 1))!.StatusDescription);
        Assert.Equal("1 of 1 tracker answered, 0 failed, 1 peer", Create(TrackerAskMode.Discovery).Report(Snapshot(1, 1, 0, peers: 1))!.StatusDescription);
    }

    [Fact]
    public void Updates_are_throttled_but_the_completed_update_has_the_last_counts()
    {
        var trackers = Create(TrackerAskMode.Discovery, TimeSpan.FromMilliseconds(250));
        Assert.NotNull(trackers.Report(Snapshot(5, 0, 0)));
        var written = 0;
        for (var i = 1; i <= 100; i++)
        {
            written += trackers.Report(Snapshot(5, 0, 0, peers: i)) is null ? 0 : 1;
        }

        Assert.Equal(0, written);
        var done = trackers.Complete();
        Assert.True(done!.IsCompleted);
        Assert.Equal("0 of 5 trackers answered, 0 failed, 100 peers", done.StatusDescription);
        Assert.Equal((100, 0), (done.PercentComplete, done.SecondsRemaining));
        Assert.Null(trackers.Complete());
    }

    [Fact]
    public async Task A_feed_writes_each_snapshot_then_one_completed_update_once_the_engine_completes_it()
    {
        var updates = new List<ProgressUpdate>();
        await using (var feed = Create(TrackerAskMode.Status).Feed(u => updates.Add(u)))
        {
            feed.Writer.TryWrite(Snapshot(2, 0, 0));
            feed.Writer.TryWrite(Snapshot(2, 1, 0));
            feed.Writer.TryWrite(Snapshot(2, 1, 1) with { IsComplete = true });
            feed.Writer.TryComplete();
        }

        Assert.Equal(["0 of 2 trackers answered, 0 failed", "1 of 2 trackers answered, 0 failed", "1 of 2 trackers answered, 1 failed", "1 of 2 trackers answered, 1 failed"], updates.Select(u => u.StatusDescription));
        Assert.Equal([false, false, false, true], updates.Select(u => u.IsCompleted));
        Assert.Single(updates.Select(u => u.ActivityId).Distinct());
    }

    [Fact]
    public async Task The_engine_s_thread_never_runs_the_progress_code_nor_waits_for_it()
    {
        var written = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        await using var feed = Create(TrackerAskMode.Discovery).Feed(_ =>
        {
            written.TrySetResult(Environment.CurrentManagedThreadId);
            release.Wait(TimeSpan.FromSeconds(10)); // a slow pipeline: the engine must not notice
        });
        var engineThread = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = new Thread(() =>
        {
            var id = Environment.CurrentManagedThreadId;
            feed.Writer.TryWrite(Snapshot(2, 0, 0));
            feed.Writer.TryWrite(Snapshot(2, 1, 0)); // returns at once though the first is still being written
            engineThread.SetResult(id);
        });
        engine.Start();

        var engineId = await engineThread.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var writerId = await written.Task.WaitAsync(TimeSpan.FromSeconds(10));
        release.Set();
        feed.Writer.TryComplete();

        Assert.NotEqual(engineId, writerId);
    }
}
