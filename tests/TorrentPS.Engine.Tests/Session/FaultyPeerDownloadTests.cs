using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// Whole downloads by the real engine from fake peers on loopback that misbehave where real clients cannot: each ends
/// complete and byte for byte right, the honest peers making up for the bad ones.
/// </summary>
public sealed class FaultyPeerDownloadTests
{
    [Fact]
    public async Task A_peer_sending_corrupt_blocks_fails_its_pieces_which_come_again_from_an_honest_peer_and_it_is_banned()
    {
        // One block per piece: every piece the liar sends is its alone, so two of them earn a ban.
        await using var swarm = new FakeSwarm(StorageTorrent.Single("corrupt.bin", (40 * 16 * 1024) + 777, 16 * 1024, seed: 11));
        var liar = swarm.Peer(new FakePeerBehavior { CorruptsBlocks = true });

        var (result, _, honest) = await swarm.BadFirstThenHonestAsync(liar, () => liar.BlocksSent >= 2, "the liar sent two blocks");

        swarm.AssertDownloadedWhole(result);
        Assert.True(result.HashFailures >= 2, $"{result.HashFailures} hash failures\n{swarm.LogText}");
        Assert.Contains(swarm.Log.Messages, m => m.Contains("banning peer", StringComparison.Ordinal) && m.Contains(liar.EndPoint.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(swarm.Log.Messages, m => m.Contains("banning peer", StringComparison.Ordinal) && m.Contains(honest.EndPoint.ToString(), StringComparison.Ordinal));
        Assert.Equal(1, liar.Connections);
    }

    [Fact]
    public async Task A_peer_that_sends_corrupt_blocks_alongside_an_honest_one_from_the_start_does_not_stop_the_download()
    {
        // Two blocks per piece, both peers asked at once: failed pieces mix blocks of the liar and the honest peer, so
        // blame is shared; the honest peer must not end up banned with the liar.
        await using var swarm = new FakeSwarm(StorageTorrent.Single("mixed.bin", (48 * 32 * 1024) + 5, 32 * 1024, seed: 12));
        var liar = swarm.Peer(new FakePeerBehavior { CorruptsBlocks = true });
        var honest = swarm.Peer();

        var result = await swarm.CompletionAsync(swarm.Start(liar, honest));

        swarm.AssertDownloadedWhole(result);
        Assert.True(result.HashFailures >= 1, $"the liar sent nothing that failed\n{swarm.LogText}");
        Assert.DoesNotContain(swarm.Log.Messages, m => m.Contains("banning peer", StringComparison.Ordinal) && m.Contains(honest.EndPoint.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_peer_that_chokes_forever_is_never_asked_for_blocks_and_the_others_complete_the_download()
    {
        await using var swarm = new FakeSwarm(StorageTorrent.Single("choke.bin", (20 * 32 * 1024) + 99, 32 * 1024, seed: 13));
        var choker = swarm.Peer(new FakePeerBehavior { Unchokes = false });
        var honest = swarm.Peer();

        var result = await swarm.CompletionAsync(swarm.Start(choker, honest));

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(1, choker.Connections);
        Assert.Equal(0, choker.Requests);
    }

    [Fact]
    public async Task A_peer_that_stalls_in_the_middle_of_a_block_has_its_requests_moved_to_another_peer()
    {
        await using var swarm = new FakeSwarm(StorageTorrent.Single("stall.bin", (12 * 64 * 1024) + 4321, 64 * 1024, seed: 14));
        var staller = swarm.Peer(new FakePeerBehavior { StallsAfterBlocks = 3 });

        var (result, _, _) = await swarm.BadFirstThenHonestAsync(staller, () => staller.BlocksSent >= 4, "the staller sent half a block");

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(4, staller.BlocksSent);
    }

    [Fact]
    public async Task A_peer_that_hangs_up_in_the_middle_of_a_piece_leaves_the_rest_of_it_to_the_others()
    {
        // Four blocks per piece; it sends two whole blocks and half of the third, then hangs up (and on every later connection).
        await using var swarm = new FakeSwarm(StorageTorrent.Single("hangup.bin", (10 * 64 * 1024) + 1, 64 * 1024, seed: 15));
        var quitter = swarm.Peer(new FakePeerBehavior { DisconnectsAfterBlocks = 2 });

        var (result, _, _) = await swarm.BadFirstThenHonestAsync(quitter, () => quitter.BlocksSent >= 3, "the quitter hung up mid-piece");

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(0, result.HashFailures);
    }

    [Fact]
    public async Task A_fast_extension_peer_that_chokes_and_unchokes_mid_download_is_not_asked_twice_for_the_same_blocks()
    {
        await using var swarm = new FakeSwarm(StorageTorrent.Single("rechoke.bin", (16 * 64 * 1024) + 10, 64 * 1024, seed: 17));
        var peer = swarm.Peer(new FakePeerBehavior { FastExtension = true, ChokesBrieflyAtRequest = 5 });

        var result = await swarm.CompletionAsync(swarm.Start(peer));

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(swarm.Info.Length, result.Downloaded);
        Assert.Equal((16 * 4) + 1, peer.Requests); // every block once: four per piece, and the 10-byte last piece
    }

    [Fact]
    public async Task Pieces_each_held_by_only_one_of_three_peers_are_combined_into_the_whole_torrent()
    {
        await using var swarm = new FakeSwarm(StorageTorrent.Single("thirds.bin", (30 * 32 * 1024) + 3000, 32 * 1024, seed: 16));
        var peers = Enumerable.Range(0, 3).Select(k => swarm.Peer(new FakePeerBehavior { Has = i => i % 3 == k })).ToArray();

        var result = await swarm.CompletionAsync(swarm.Start(peers));

        swarm.AssertDownloadedWhole(result);
        Assert.All(peers, p => Assert.True(p.BlocksSent > 0, $"peer {p.EndPoint} served nothing"));
    }
}
