using System.Security.Cryptography;
using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// Magnet downloads against peers that lie about the metadata or flood us with it (issue 19, 6 and 7): the fetch moves
/// off a liar's size, a peer streaming ut_metadata nobody asked for is dropped without flooding the log, and the
/// download completes from an honest peer byte for byte.
/// </summary>
public sealed class MetadataAttackTests
{
    private static StorageTorrent Small(string name, int seed) => StorageTorrent.Single(name, (16 * 32 * 1024) + 123, 32 * 1024, seed);

    [Fact]
    public async Task A_liar_announcing_a_wrong_metadata_size_and_asked_first_is_left_for_the_size_the_honest_peer_announces()
    {
        await using var swarm = new FakeSwarm(Small("size-liar.bin", 51));
        var lie = RandomNumberGenerator.GetBytes(swarm.Info.GetRawInfo().Length + 300);
        // It answers late, so the honest peer is connected (and has announced the right size) when the lie fails.
        var liar = swarm.Peer(new FakePeerBehavior { ServedMetadata = lie, MetadataDelay = TimeSpan.FromSeconds(1) });
        var honest = swarm.Peer();
        var torrent = swarm.StartMagnet(liar);
        await swarm.WaitUntilAsync(() => liar.MetadataRequests >= 1, "the liar was asked");

        torrent.AddPeers(FakeSwarm.EndPoints(honest));
        var result = await swarm.CompletionAsync(torrent);

        swarm.AssertDownloadedWhole(result);
        Assert.Contains(swarm.Log.Messages, m => m.Contains("does not match the info hash", StringComparison.Ordinal));
        Assert.True(honest.MetadataRequests >= 1);
    }

    [Fact]
    public async Task A_peer_streaming_metadata_nobody_asked_for_is_dropped_and_the_log_stays_small()
    {
        await using var swarm = new FakeSwarm(Small("metadata-flood.bin", 52));
        var flooder = swarm.Peer(new FakePeerBehavior { FloodsMetadata = true });
        var torrent = swarm.StartMagnet(flooder);
        await swarm.WaitUntilAsync(() => swarm.LogText.Contains("ut_metadata messages nobody asked for", StringComparison.Ordinal), "the flooder was dropped");

        var honest = swarm.Peer();
        torrent.AddPeers(FakeSwarm.EndPoints(honest));
        var result = await swarm.CompletionAsync(torrent);

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(1, flooder.Connections);
        Assert.InRange(swarm.Log.Entries.Count, 0, 2000);
    }
}
