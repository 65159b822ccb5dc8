using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// Magnet downloads by the real engine from fake peers that get ut_metadata (BEP 9) wrong: the metadata still arrives,
/// checked against the info hash, and the download completes byte for byte.
/// </summary>
public sealed class MagnetFaultTests
{
    /// <summary>A torrent whose info dictionary fits one ut_metadata piece.</summary>
    private static StorageTorrent Small(string name, int seed) => StorageTorrent.Single(name, (16 * 32 * 1024) + 123, 32 * 1024, seed);

    /// <summary>A torrent of 1,100 pieces: its info dictionary (over 22,000 bytes) is two ut_metadata pieces.</summary>
    private static StorageTorrent ManyPieces(string name, int seed) => StorageTorrent.Single(name, (1100 * 4096) - 17, 4096, seed);

    [Fact]
    public async Task Metadata_that_fails_the_info_hash_is_thrown_away_and_fetched_again_from_an_honest_peer()
    {
        await using var swarm = new FakeSwarm(Small("liar-meta.bin", 21));
        var liar = swarm.Peer(new FakePeerBehavior { ServedMetadata = FakePeer.Falsified(swarm.Info.GetRawInfo()) });

        var (result, torrent, honest) = await swarm.BadFirstThenHonestAsync(liar, () => swarm.LogText.Contains("does not match the info hash", StringComparison.Ordinal), "the liar's metadata was refused", magnet: true);

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(swarm.Info.Hash, torrent.Info!.Hash);
        Assert.True(honest.MetadataRequests >= 1);
    }

    [Fact]
    public async Task Metadata_assembled_from_a_liar_and_an_honest_peer_at_once_is_refetched_until_it_matches()
    {
        // 4,000 hashes: five ut_metadata pieces, more than one peer is asked for at once, so both peers are asked from
        // the start and the first copy mixes pieces of both.
        await using var swarm = new FakeSwarm(StorageTorrent.Single("mixed-meta.bin", (4000 * 1024) - 3, 1024, seed: 22));
        Assert.True(UtMetadataMessage.PieceCount(swarm.Info.GetRawInfo().Length) > MetadataFetcher.MaxRequestsPerPeer);
        var liar = swarm.Peer(new FakePeerBehavior { ServedMetadata = FakePeer.Falsified(swarm.Info.GetRawInfo()) });
        // The honest peer answers late, so whichever connects first, the liar's pieces are in the first copy.
        var honest = swarm.Peer(new FakePeerBehavior { MetadataDelay = TimeSpan.FromMilliseconds(300) });

        var result = await swarm.CompletionAsync(swarm.StartMagnet(liar, honest));

        swarm.AssertDownloadedWhole(result);
        Assert.Contains(swarm.Log.Messages, m => m.Contains("does not match the info hash", StringComparison.Ordinal));
        Assert.True(liar.MetadataRequests >= 1 && honest.MetadataRequests >= 1);
    }

    [Fact]
    public async Task A_peer_that_rejects_every_metadata_request_is_not_asked_again_and_another_supplies_the_metadata()
    {
        await using var swarm = new FakeSwarm(Small("reject-meta.bin", 23));
        var rejecter = swarm.Peer(new FakePeerBehavior { RejectsMetadata = true });

        var (result, _, _) = await swarm.BadFirstThenHonestAsync(rejecter, () => swarm.LogText.Contains("rejected metadata piece", StringComparison.Ordinal), "the rejecter was asked and refused", magnet: true);

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(1, rejecter.MetadataRequests);
    }

    [Fact]
    public async Task A_peer_announcing_an_absurd_metadata_size_is_never_asked_for_metadata()
    {
        await using var swarm = new FakeSwarm(Small("absurd-meta.bin", 24));
        var boaster = swarm.Peer(new FakePeerBehavior { AnnouncedMetadataSize = 1L << 40 });

        var (result, _, _) = await swarm.BadFirstThenHonestAsync(boaster, () => swarm.LogText.Contains("not believable", StringComparison.Ordinal), "the absurd size was refused", magnet: true);

        swarm.AssertDownloadedWhole(result);
        Assert.Equal(0, boaster.MetadataRequests);
    }

    [Fact]
    public async Task Metadata_pieces_sent_last_first_and_each_twice_still_assemble_the_right_metadata()
    {
        await using var swarm = new FakeSwarm(ManyPieces("backwards-meta.bin", 26));
        Assert.True(swarm.Info.GetRawInfo().Length > UtMetadataMessage.PieceLength);
        var peer = swarm.Peer(new FakePeerBehavior { SendsMetadataBackwardsTwice = true });

        var result = await swarm.CompletionAsync(swarm.StartMagnet(peer));

        swarm.AssertDownloadedWhole(result);
    }

    [Fact]
    public async Task A_metadata_fetch_fails_with_DownloadStalled_when_the_only_peer_rejects_it()
    {
        await using var swarm = new FakeSwarm(Small("only-rejecter.bin", 27));
        var rejecter = swarm.Peer(new FakePeerBehavior { RejectsMetadata = true });
        await using var session = new TorrentSession();
        var running = session.Start(swarm.Magnet, swarm.Options(rejecter) with { NoProgressTimeout = TimeSpan.FromSeconds(3) }, swarm.Log);

        var error = await Assert.ThrowsAsync<DownloadStalledException>(() => running.Completion.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("DownloadStalled", error.ErrorId);
        Assert.Null(running.Info);
        Assert.Equal(TorrentState.Failed, running.Status.State);
    }
}
