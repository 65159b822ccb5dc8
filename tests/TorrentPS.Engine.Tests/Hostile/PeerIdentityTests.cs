using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// A peer is its address; its peer id is a claim anyone can copy (issue 19, 1). Fake peers copying an honest peer's id
/// get neither the honest peer banned nor locked out, and the download completes from it byte for byte.
/// </summary>
public sealed class PeerIdentityTests
{
    [Fact]
    public async Task A_liar_copying_an_honest_peers_id_and_sending_bad_blocks_gets_only_itself_banned()
    {
        // One block per piece: every piece the liar sends is its alone, so two of them earn a ban.
        await using var swarm = new FakeSwarm(StorageTorrent.Single("copied-id.bin", (40 * 16 * 1024) + 99, 16 * 1024, seed: 31));
        var honest = swarm.Peer();
        var liar = swarm.Peer(new FakePeerBehavior { PeerId = honest.PeerId, CorruptsBlocks = true });
        var torrent = swarm.Start(liar);
        await swarm.WaitUntilAsync(() => swarm.LogText.Contains("banning peer", StringComparison.Ordinal), "the liar was banned");

        torrent.AddPeers(FakeSwarm.EndPoints(honest));
        var result = await swarm.CompletionAsync(torrent);

        swarm.AssertDownloadedWhole(result);
        Assert.True(honest.BlocksSent > 0);
        Assert.DoesNotContain(swarm.Log.Messages, m => m.Contains("banned", StringComparison.Ordinal) && m.Contains(honest.EndPoint.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_impostor_copying_an_honest_peers_id_and_saying_nothing_does_not_lock_it_out()
    {
        await using var swarm = new FakeSwarm(StorageTorrent.Single("impostor.bin", (20 * 32 * 1024) + 5, 32 * 1024, seed: 32));
        var honest = swarm.Peer();
        var impostor = swarm.Peer(new FakePeerBehavior { PeerId = honest.PeerId, SaysNothing = true });
        var torrent = swarm.Start(impostor);
        await swarm.WaitUntilAsync(() => swarm.LogText.Contains($"connected to {impostor.EndPoint}", StringComparison.Ordinal), "the impostor was connected");

        torrent.AddPeers(FakeSwarm.EndPoints(honest));
        var result = await swarm.CompletionAsync(torrent);

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(1, honest.Connections);
        Assert.Contains(swarm.Log.Messages, m => m.Contains("claims the peer id of", StringComparison.Ordinal));
    }
}
