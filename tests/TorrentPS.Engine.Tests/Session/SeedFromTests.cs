using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>TorrentOptions.SeedFrom: data already on disk, served and never downloaded.</summary>
public sealed class SeedFromTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Five pieces of 64 bytes and a short last one; the file is written with piece 2 damaged when asked.</summary>
    private static StorageTorrent Content(bool damaged = false)
    {
        var torrent = StorageTorrent.Single("seed.bin", (5 * 64) + 10, 64).WriteContent();

        if (damaged)
        {
            using var file = File.OpenWrite(torrent.PathOf(0));
            file.Position = (2 * 64) + 5;
            file.WriteByte((byte)(torrent.Content[(2 * 64) + 5] ^ 0xff));
        }

        return torrent;
    }

    [Fact]
    public async Task A_torrent_seeding_complete_data_goes_on_seeding_until_stopped()
    {
        using var torrent = Content();
        await using var session = new TorrentSession();
        var running = session.Start(torrent.Torrent, TorrentOptions.SeedFrom(torrent.Folder) with { UseTrackers = false });

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
        var running = session.Start(torrent.Torrent, TorrentOptions.SeedFrom(torrent.Folder, allowPartial: true) with { UseTrackers = false });

        await WaitForStateAsync(running, TorrentState.Seeding);
        var result = await running.StopAsync().WaitAsync(Patience);

        Assert.Equal(5, result.VerifiedPieces);
    }

    [Fact]
    public async Task A_torrent_refusing_incomplete_data_fails_with_IncompleteData()
    {
        using var torrent = Content(damaged: true);
        await using var session = new TorrentSession();
        var running = session.Start(torrent.Torrent, TorrentOptions.SeedFrom(torrent.Folder) with { UseTrackers = false });

        var error = await Assert.ThrowsAsync<TorrentPSException>(() => running.Completion.WaitAsync(Patience));

        Assert.Equal(("IncompleteData", TorrentErrorKind.InvalidData), (error.ErrorId, error.Kind));
    }

    private static async Task WaitForStateAsync(TorrentRun torrent, TorrentState state)
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
