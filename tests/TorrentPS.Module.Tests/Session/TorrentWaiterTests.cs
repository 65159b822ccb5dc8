using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Swarm;
using TorrentPS.Session;

namespace TorrentPS.Module.Tests.Session;

/// <summary>Wait-Torrent: until the states asked for or the end of the runs; a timeout or Ctrl+C ends the waiting, never the torrents.</summary>
public sealed class TorrentWaiterTests
{
    private readonly ProgressTracker _activities = new(minInterval: TimeSpan.Zero);
    private readonly List<ProgressUpdate> _progress = [];

    private TorrentWaiter Waiter() => new((activity, total, parent) => _activities.Start(activity, total, parent), u =>
    {
        if (u is not null)
        {
            lock (_progress)
            {
                _progress.Add(u);
            }
        }
    });

    [Fact]
    public async Task It_returns_the_torrents_once_their_runs_end_with_one_activity_each_under_an_overall_one()
    {
        await using var torrents = new SessionTorrents();
        var seed = await torrents.SeedAsync("alpha.bin");
        var stuck = await torrents.StuckDownloadAsync("beta.bin");

        var waiting = Waiter().WaitAsync([seed, stuck], null, null, CancellationToken.None);
        await seed.StopAsync();
        await stuck.SuspendAsync();
        var reached = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([seed, stuck], reached);
        lock (_progress)
        {
            var overall = Assert.Single(_progress, u => u.ParentActivityId == -1 && u.IsCompleted);
            Assert.Equal("Waiting for 2 torrents", overall.Activity);
            Assert.Equal("2 of 2 done", overall.StatusDescription);
            Assert.Contains(_progress, u => u.Activity == "Waiting for beta.bin" && u.ParentActivityId == overall.ActivityId);
        }
    }

    [Fact]
    public async Task A_state_asked_for_that_is_there_already_returns_at_once()
    {
        await using var torrents = new SessionTorrents();
        var seed = await torrents.SeedAsync("alpha.bin");

        var reached = await Waiter().WaitAsync([seed], [TorrentState.Seeding], null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([seed], reached);
        Assert.True(seed.IsRunning);
    }

    [Fact]
    public async Task A_timeout_leaves_out_the_torrents_not_there_and_stops_nothing()
    {
        await using var torrents = new SessionTorrents();
        var stuck = await torrents.StuckDownloadAsync("beta.bin");

        var reached = await Waiter().WaitAsync([stuck], [TorrentState.Completed], TimeSpan.FromMilliseconds(300), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(reached);
        Assert.Equal(TorrentState.Downloading, stuck.State);
    }

    [Fact]
    public async Task Cancelling_ends_the_waiting_and_the_torrent_goes_on()
    {
        await using var torrents = new SessionTorrents();
        var stuck = await torrents.StuckDownloadAsync("beta.bin");
        using var ctrlC = new CancellationTokenSource();

        var waiting = Waiter().WaitAsync([stuck], null, null, ctrlC.Token);
        await ctrlC.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stuck.IsRunning);
    }
}
