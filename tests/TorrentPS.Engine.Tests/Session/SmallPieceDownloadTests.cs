using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>Pieces smaller than a 16 KiB block (BEP 3 allows any length): each request is one whole piece.</summary>
public sealed class SmallPieceDownloadTests
{
    [Fact]
    public async Task A_torrent_of_1_KiB_pieces_downloads_without_waiting_for_bytes_that_never_come()
    {
        // 4,000 pieces of 1 KiB. The receive once expected 16 KiB per request and sat out a timeout on every round:
        // this took 24 s; it takes about one.
        await using var swarm = new FakeSwarm(StorageTorrent.Single("tiny-pieces.bin", (4000 * 1024) - 3, 1024, seed: 31));
        var peer = swarm.Peer();

        var result = await swarm.CompletionAsync(swarm.Start(peer), seconds: 12);

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(4000, peer.Requests);
    }
}
