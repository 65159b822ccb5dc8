using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>Status on its way out of the loop: the latest at once, a slow reader skips, every feed ends with the torrent.</summary>
public sealed class StatusFeedTests
{
    private static readonly InfoHash Hash = InfoHash.Parse(new string('c', 40));

    private static TorrentStatus Status(TorrentState state, long verified = 0) => new() { Name = "x", Hash = Hash, State = state, VerifiedBytes = verified };

    [Fact]
    public async Task A_watcher_gets_the_latest_status_at_once_and_only_the_newest_of_those_it_missed()
    {
        var feed = new StatusFeed(Status(TorrentState.Checking));
        await using var watcher = feed.WatchAsync(CancellationToken.None).GetAsyncEnumerator();

        Assert.True(await watcher.MoveNextAsync());
        Assert.Equal(TorrentState.Checking, watcher.Current.State);

        for (var i = 1; i <= 100; i++)
        {
            feed.Publish(Status(TorrentState.Downloading, i));
        }

        Assert.True(await watcher.MoveNextAsync());
        Assert.Equal(100, watcher.Current.VerifiedBytes);
        Assert.Equal(100, feed.Latest.VerifiedBytes);
    }

    [Fact]
    public async Task Every_feed_ends_after_the_last_status_and_a_late_watcher_gets_that_one()
    {
        var feed = new StatusFeed(Status(TorrentState.Downloading));
        var watching = Collect(feed);
        feed.Publish(Status(TorrentState.Completed));
        feed.Complete();

        var seen = await watching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, seen[^1].State);
        var late = await Collect(feed).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([TorrentState.Completed], late.Select(s => s.State));
    }

    private static async Task<List<TorrentStatus>> Collect(StatusFeed feed)
    {
        var seen = new List<TorrentStatus>();
        await foreach (var status in feed.WatchAsync(CancellationToken.None))
        {
            seen.Add(status);
        }

        return seen;
    }
}
