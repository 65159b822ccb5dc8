using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

public sealed class TorrentSessionRegistrationTests
{
    [Fact]
    public async Task A_torrent_starts_again_as_soon_as_its_previous_run_has_ended()
    {
        using var torrent = StorageTorrent.Single("again.bin", 330, 64).WriteContent();
        await using var session = new TorrentSession();
        for (var run = 0; run < 30; run++)
        {
            // Complete data and no seed goal: each run ends by itself as soon as the data is checked. Its removal from the
            // session is a continuation of its completion, which may not have run when the caller resumes.
            var options = TorrentOptions.SeedFrom(torrent.Folder) with { UseTrackers = false, SeedUntilStopped = false };
            var result = await session.Start(torrent.Torrent, options).Completion.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(TorrentState.Completed, result.State);
        }
    }
}
