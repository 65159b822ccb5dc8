using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>
/// The loop with many seeders (issue 20's 8-seeder runs): blocks are asked of two peers only in the real endgame, a copy
/// that crosses its cancel closes nobody, and blocks nobody asked for are not progress. Simulated peers, a fake clock.
/// </summary>
public sealed class ManySeedersLoopTests
{
    private const int PieceLength = 2 * ActivePiece.BlockSize;
    private const string Finished = "the download is complete";

    [Fact]
    public async Task Eight_seeders_get_no_copies_of_each_others_blocks_while_pieces_are_missing_and_copies_crossing_cancels_close_nobody()
    {
        // Memory for 16 pieces in progress, as 16 MiB held 16 of the benchmark's 1 MiB pieces: far less than 8 full pipelines want.
        const int pieces = 96;
        const int memoryInPieces = 16;
        await using var swarm = await SimulatedSwarm.StartAsync(length: pieces * PieceLength, pieceLength: PieceLength, configure: o => o with { MaxBufferedBytes = memoryInPieces * PieceLength });
        var seeders = new List<SimulatedPeer>();
        for (var i = 0; i < 8; i++)
        {
            seeders.Add(await swarm.ConnectAsync());
        }

        var delivered = new HashSet<(int Index, int Begin)>();
        var copiesInEndgame = 0;
        for (var round = 0; round < 200 && !swarm.Torrent.Completion.IsCompleted; round++)
        {
            // Each seeder's requests as they stand; then each delivers all of them, those we cancel meanwhile too (its
            // copy was on its way when the cancel came).
            var asked = new List<List<OutgoingMessage>>();
            foreach (var seeder in seeders)
            {
                asked.Add(seeder.TakeOpenRequests());
            }

            var missing = Enumerable.Range(0, pieces).Count(p => !delivered.Contains((p, 0)) || !delivered.Contains((p, ActivePiece.BlockSize)));
            var blocks = asked.SelectMany(a => a).Select(r => (r.Index, r.Begin)).ToList();
            var copies = blocks.Count - blocks.Distinct().Count();
            if (missing > memoryInPieces)
            {
                // Not the endgame: some missing piece is not even started.
                Assert.True(copies == 0, $"round {round}: {copies} blocks asked of two seeders with {missing} pieces missing");
            }
            else
            {
                copiesInEndgame += copies;
            }

            for (var i = 0; i < seeders.Count; i++)
            {
                seeders[i].Deliver(asked[i].Select(r => swarm.BlockFor(r)));
                await swarm.SettleAsync();
                foreach (var request in asked[i])
                {
                    delivered.Add((request.Index, request.Begin));
                }
            }

            // Nobody is closed but by the end of the download.
            Assert.All(seeders, s => Assert.True(s.CloseReason is null or Finished, $"{s} was closed: {s.CloseReason}"));
        }

        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
        Assert.True(copiesInEndgame > 0, "the last blocks were asked of a second seeder (the endgame happened)");
    }

    [Fact]
    public async Task Blocks_a_peer_was_never_asked_for_do_not_keep_a_stalled_download_alive()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(length: 32 * PieceLength, pieceLength: PieceLength, configure: o => o with { NoProgressTimeout = TimeSpan.FromSeconds(10) });
        var silent = await swarm.ConnectAsync();
        var held = silent.OpenRequests().Select(r => r.Index).Distinct().ToList();
        var stranger = await swarm.ConnectAsync(unchoke: false);
        Assert.Empty(stranger.OpenRequests());

        // Every 1.5 s the stranger sends the first block of a piece in progress that it was never asked for; the piece
        // takes it, but that is no progress: after 10 s of it the download has stalled.
        foreach (var piece in held.Take(8))
        {
            stranger.Deliver([swarm.BlockFor(OutgoingMessage.Request(piece, 0, ActivePiece.BlockSize))]);
            await swarm.AdvanceAsync(TimeSpan.FromSeconds(1.5));
        }

        var error = await Assert.ThrowsAsync<DownloadStalledException>(() => swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("DownloadStalled", error.ErrorId);
    }
}
