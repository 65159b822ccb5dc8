using TorrentPS.Engine.Session;
using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// A peer that sends only blocks nobody asked for (issue 19, 8): it is closed, and not dialled again at once; with
/// nothing else to download from, the no-progress timeout ends the run on time.
/// </summary>
public sealed class JunkBlockTests
{
    private static StorageTorrent Torrent(string name, int seed) => StorageTorrent.Single(name, (20 * 32 * 1024) + 7, 32 * 1024, seed);

    [Fact]
    public async Task A_peer_closed_for_sending_blocks_nobody_asked_for_is_not_dialled_again_at_once()
    {
        await using var swarm = new FakeSwarm(Torrent("junk.bin", 61));
        var junk = swarm.Peer(new FakePeerBehavior { SendsUnrequestedBlocks = true });
        var torrent = swarm.Start(junk);
        await swarm.WaitUntilAsync(() => swarm.LogText.Contains("closed for misbehaving", StringComparison.Ordinal), "the junk sender was closed");

        // Before, it was dialled again 5 s after each close (13 times in 71 s).
        var redialled = await BecomesTrueWithinAsync(() => junk.Connections >= 2, TimeSpan.FromSeconds(8));

        Assert.False(redialled, $"dialled again at once\n{swarm.LogText}");
        Assert.Contains(swarm.Log.Messages, m => m.Contains("not connected again for 60 s", StringComparison.Ordinal));
        await torrent.StopAsync();
    }

    [Fact]
    public async Task A_download_from_only_a_junk_sender_ends_at_its_no_progress_timeout()
    {
        await using var swarm = new FakeSwarm(Torrent("junk-timeout.bin", 62));
        var junk = swarm.Peer(new FakePeerBehavior { SendsUnrequestedBlocks = true });
        await using var session = new TorrentSession();
        var started = DateTime.UtcNow;
        var running = session.Start(swarm.Info, swarm.Options(junk) with { NoProgressTimeout = TimeSpan.FromSeconds(5) }, swarm.Log);

        await Assert.ThrowsAsync<DownloadStalledException>(() => running.Completion.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 4, 9);
    }

    /// <summary>Whether <paramref name="condition"/> comes true within <paramref name="span"/> (polled).</summary>
    private static async Task<bool> BecomesTrueWithinAsync(Func<bool> condition, TimeSpan span)
    {
        var deadline = DateTime.UtcNow + span;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
