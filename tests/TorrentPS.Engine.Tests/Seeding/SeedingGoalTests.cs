using System.Diagnostics;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Trackers;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>When seeding ends (a share ratio, a seeding time, the user) and what trackers hear about it.</summary>
public sealed class SeedingGoalTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Seeding_ends_as_Completed_once_the_share_ratio_is_reached_and_not_before()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(configure: o => o with { SeedUntilStopped = false, SeedRatio = 2.0 });

        await seeder.DownloadAsync(Wait);

        // The first snapshot that counts one full copy uploaded (a ratio of 1, short of 2) comes from the tick that
        // checked the goal with that count: the torrent still seeds.
        var counted = await FirstStatusAsync(seeder.Torrent, s => s.Uploaded >= seeder.Info.Length);
        Assert.Equal(TorrentState.Seeding, counted.State);
        await seeder.DownloadAsync(Wait);
        var result = await seeder.Torrent.Completion.WaitAsync(Wait);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(2 * seeder.Info.Length, result.Uploaded);
        Assert.Equal(2.0, result.Ratio);
        Assert.Equal(0, result.Downloaded);
    }

    [Fact]
    public async Task Seeding_ends_as_Completed_once_the_seeding_time_has_passed()
    {
        var clock = Stopwatch.StartNew();
        await using var seeder = await LoopbackSeeder.StartAsync(configure: o => o with { SeedUntilStopped = false, SeedTime = TimeSpan.FromSeconds(1.5) });
        await seeder.DownloadAsync(Wait);

        var result = await seeder.Torrent.Completion.WaitAsync(Wait);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(seeder.Info.Length, result.Uploaded);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Stopping_a_seed_tells_the_tracker_stopped_with_the_listen_port_and_what_was_uploaded()
    {
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d8:intervali1800e5:peers0:e"));
        await using var seeder = await LoopbackSeeder.StartAsync(announce: tracker.AnnounceUrl);
        await WaitForAsync(() => tracker.Requests.Count > 0);
        var started = tracker.Requests.First();
        await seeder.DownloadAsync(Wait);

        var result = await seeder.Torrent.StopAsync().WaitAsync(Wait);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal("started", FakeHttpTracker.Query(started, "event"));
        Assert.Equal("0", FakeHttpTracker.Query(started, "left"));
        var stopped = Assert.Single(tracker.Requests, r => FakeHttpTracker.Query(r, "event") == "stopped");
        foreach (var request in tracker.Requests)
        {
            Assert.Equal(seeder.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), FakeHttpTracker.Query(request, "port"));
            Assert.Equal(seeder.Torrent.PeerId.ToArray(), FakeHttpTracker.QueryBytes(request, "peer_id"));
        }

        Assert.Equal(result.Uploaded.ToString(System.Globalization.CultureInfo.InvariantCulture), FakeHttpTracker.Query(stopped, "uploaded"));
        Assert.Equal(seeder.Info.Length, result.Uploaded);
    }

    private static async Task<TorrentStatus> FirstStatusAsync(TorrentRun torrent, Func<TorrentStatus, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        await foreach (var status in torrent.WatchStatusAsync(timeout.Token))
        {
            if (condition(status))
            {
                return status;
            }
        }

        throw new Xunit.Sdk.XunitException($"The torrent ended without such a status: {torrent.Status}");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
