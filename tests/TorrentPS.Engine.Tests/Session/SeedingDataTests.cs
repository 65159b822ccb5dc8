using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

public sealed class SeedingDataTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Five pieces of 64 bytes and a short last one; the file is written with piece 2 damaged when asked.</summary>
    private static StorageTorrent Content(bool damaged = false, bool write = true)
    {
        var torrent = StorageTorrent.Single("seed.bin", (5 * 64) + 10, 64);
        if (write)
        {
            torrent.WriteContent();
        }

        if (damaged)
        {
            using var file = File.OpenWrite(torrent.PathOf(0));
            file.Position = (2 * 64) + 5;
            file.WriteByte((byte)(torrent.Content[(2 * 64) + 5] ^ 0xff));
        }

        return torrent;
    }

    private static SeedingData Data(StorageTorrent torrent, bool allowPartial, string? stateFolder = null)
        => new(torrent.Torrent, ContentLocation.InFolder(torrent.Torrent, torrent.Folder, stateFolder), allowPartial);

    [Fact]
    public async Task Complete_data_is_found_whole()
    {
        using var torrent = Content();
        using var data = Data(torrent, allowPartial: false);

        var found = await data.CheckAsync(null, CancellationToken.None);

        Assert.True(found.IsComplete);
        Assert.Same(found, data.Found);
        Assert.Equal(torrent.PathOf(0), data.ContentPath);
    }

    [Fact]
    public async Task Damaged_data_is_refused_as_IncompleteData_naming_the_counts()
    {
        using var torrent = Content(damaged: true);
        using var data = Data(torrent, allowPartial: false);

        var error = await Assert.ThrowsAsync<TorrentPSException>(() => data.CheckAsync(null, CancellationToken.None));

        Assert.Equal(("IncompleteData", TorrentErrorKind.InvalidData), (error.ErrorId, error.Kind));
        Assert.Contains("5 of 6 pieces are valid, 1 missing or damaged", error.Message, StringComparison.Ordinal);
        Assert.Null(data.Found);
    }

    [Fact]
    public async Task Partial_data_is_found_piece_by_piece_when_allowed()
    {
        using var torrent = Content(damaged: true);
        using var data = Data(torrent, allowPartial: true);

        var found = await data.CheckAsync(null, CancellationToken.None);

        Assert.Equal([0, 1, 3, 4, 5], found.Indexes());
    }

    [Fact]
    public async Task No_data_at_all_is_refused_even_when_partial_data_is_allowed()
    {
        using var torrent = Content(write: false);
        using var data = Data(torrent, allowPartial: true);

        var error = await Assert.ThrowsAsync<TorrentPSException>(() => data.CheckAsync(null, CancellationToken.None));

        Assert.Equal("IncompleteData", error.ErrorId);
        Assert.Contains("none of its 6 pieces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resume_file_that_cannot_be_written_does_not_fail_the_seed()
    {
        using var torrent = Content();
        var blocked = Path.Combine(torrent.Folder, "not-a-folder");
        File.WriteAllText(blocked, "a file where the state folder would go");
        using var data = Data(torrent, allowPartial: false, stateFolder: blocked);
        var found = await data.CheckAsync(null, CancellationToken.None);

        data.Checkpoint(found, final: true);

        Assert.True(File.Exists(blocked));
    }

    [Fact]
    public async Task A_torrent_seeding_complete_data_goes_on_seeding_until_stopped()
    {
        using var torrent = Content();
        await using var session = new TorrentSession();
        var running = session.Start(torrent.Torrent, TorrentOptions.Seed(torrent.Folder) with { UseTrackers = false });

        await WaitForStateAsync(running, TorrentState.Seeding);
        var result = await running.StopAsync().WaitAsync(Patience);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal((6, 6), (result.VerifiedPieces, result.PieceCount));
        Assert.Equal([torrent.PathOf(0)], result.Files);
        Assert.Equal(torrent.PathOf(0), result.Destination);
        Assert.Equal(0, result.Downloaded);
    }

    [Fact]
    public async Task A_torrent_seeding_partial_data_offers_the_pieces_found()
    {
        using var torrent = Content(damaged: true);
        await using var session = new TorrentSession();
        var running = session.Start(torrent.Torrent, TorrentOptions.Seed(torrent.Folder, allowPartial: true) with { UseTrackers = false });

        await WaitForStateAsync(running, TorrentState.Seeding);
        var result = await running.StopAsync().WaitAsync(Patience);

        Assert.Equal(5, result.VerifiedPieces);
    }

    [Fact]
    public async Task A_torrent_refusing_incomplete_data_fails_with_IncompleteData()
    {
        using var torrent = Content(damaged: true);
        await using var session = new TorrentSession();
        var running = session.Start(torrent.Torrent, TorrentOptions.Seed(torrent.Folder) with { UseTrackers = false });

        var error = await Assert.ThrowsAsync<TorrentPSException>(() => running.Completion.WaitAsync(Patience));

        Assert.Equal("IncompleteData", error.ErrorId);
    }

    [Fact]
    public async Task A_torrent_starts_again_as_soon_as_its_previous_run_has_ended()
    {
        using var torrent = Content();
        await using var session = new TorrentSession();
        for (var run = 0; run < 30; run++)
        {
            // Complete data and no seed goal: each run ends by itself as soon as the data is checked.
            var options = TorrentOptions.Seed(torrent.Folder) with { UseTrackers = false, SeedUntilStopped = false };
            var result = await session.Start(torrent.Torrent, options).Completion.WaitAsync(Patience);
            Assert.Equal(TorrentState.Completed, result.State);
        }
    }

    private static async Task WaitForStateAsync(Torrent torrent, TorrentState state)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (torrent.Status.State != state)
        {
            Assert.False(torrent.Completion.IsCompleted, $"the torrent ended ({torrent.Completion.Status}) before it was {state}");
            Assert.True(DateTime.UtcNow < deadline, $"the torrent stayed {torrent.Status.State}");
            await Task.Delay(20);
        }
    }
}
