using TorrentPS.Bridge.Progress;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Bridge.Progress;

public class ProgressTrackerTests
{
    [Fact]
    public void Open_activities_are_completed_children_first()
    {
        var tracker = new ProgressTracker(new ManualTimeProvider());
        var torrent = tracker.Start("torrent", 100);
        var file = tracker.Start("file", 60, torrent);
        var updates = tracker.CompleteAll();
        Assert.Equal([file.ActivityId, torrent.ActivityId], updates.Select(u => u.ActivityId));
        Assert.All(updates, u => Assert.True(u.IsCompleted));
        Assert.Equal(torrent.ActivityId, updates[0].ParentActivityId);
    }

    [Fact]
    public void Activities_completed_by_the_operation_are_not_completed_twice()
    {
        var tracker = new ProgressTracker(new ManualTimeProvider());
        var done = tracker.Start("done", 10);
        Assert.NotNull(done.Complete());
        var open = tracker.Start("open", 10);
        Assert.Equal([open.ActivityId], tracker.CompleteAll().Select(u => u.ActivityId));
        Assert.Empty(tracker.CompleteAll());
    }

    [Fact]
    public void Reports_after_completion_write_nothing()
    {
        var tracker = new ProgressTracker(new ManualTimeProvider());
        var progress = tracker.Start("t", 10);
        tracker.CompleteAll();
        Assert.Null(progress.Report(new ProgressSnapshot(5, 10)));
    }
}
