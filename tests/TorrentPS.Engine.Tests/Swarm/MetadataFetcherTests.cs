using System.Security.Cryptography;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class MetadataFetcherTests
{
    private static (byte[] Metadata, InfoHash Hash) Metadata(int length)
    {
        var metadata = RandomNumberGenerator.GetBytes(length);
        return (metadata, new InfoHash(SHA1.HashData(metadata)));
    }

    private static ReadOnlySpan<byte> Piece(byte[] metadata, int piece)
        => metadata.AsSpan(piece * UtMetadataMessage.PieceLength, UtMetadataMessage.GetPieceLength(piece, metadata.Length));

    [Fact]
    public void Pieces_are_spread_over_peers_and_the_assembled_metadata_is_returned_when_it_matches_the_info_hash()
    {
        var (metadata, hash) = Metadata((5 * 16384) + 100);
        var fetcher = new MetadataFetcher(hash, 1000);
        Assert.True(fetcher.Offer(1, metadata.Length));
        Assert.True(fetcher.Offer(2, metadata.Length));
        var fromFirst = fetcher.NextRequests(1, 0);
        var fromSecond = fetcher.NextRequests(2, 0);
        Assert.Equal(MetadataFetcher.MaxRequestsPerPeer, fromFirst.Count);
        Assert.Equal(2, fromSecond.Count);
        Assert.Empty(fromFirst.Intersect(fromSecond));

        MetadataResult result = default;
        foreach (var piece in fromSecond.Concat(fromFirst).Reverse())
        {
            result = fetcher.OnData(fromFirst.Contains(piece) ? 1 : 2, piece, metadata.Length, Piece(metadata, piece));
        }

        Assert.Equal(MetadataResultKind.Completed, result.Kind);
        Assert.Equal(metadata, result.Metadata);
    }

    [Fact]
    public void A_mismatch_discards_the_copy_and_its_suppliers_are_not_asked_again()
    {
        var (metadata, hash) = Metadata(1000);
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, metadata.Length);
        fetcher.Offer(2, metadata.Length);
        Assert.Equal([0], fetcher.NextRequests(1, 0));
        var wrong = (byte[])metadata.Clone();
        wrong[10] ^= 1;
        var result = fetcher.OnData(1, 0, wrong.Length, wrong);
        Assert.Equal(MetadataResultKind.HashMismatch, result.Kind);
        Assert.Equal([1], result.Suppliers!);
        Assert.Empty(fetcher.NextRequests(1, 0));
        Assert.Equal([0], fetcher.NextRequests(2, 0));
        Assert.Equal(MetadataResultKind.Completed, fetcher.OnData(2, 0, metadata.Length, metadata).Kind);
    }

    [Fact]
    public void A_mixed_copy_that_fails_convicts_nobody_and_the_next_copies_come_whole_from_one_peer_each()
    {
        var (metadata, hash) = Metadata((2 * 16384) + 5);
        var wrong = (byte[])metadata.Clone();
        wrong[16384 + 1] ^= 1; // the liar's piece 1 is wrong
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, metadata.Length);
        fetcher.Offer(2, metadata.Length);
        Assert.Equal([0, 1, 2], fetcher.NextRequests(1, 0));
        fetcher.OnData(2, 2, metadata.Length, Piece(metadata, 2)); // the honest peer's answer to an earlier request

        // The liar's two pieces and the honest peer's one make a copy that fails: neither is excluded.
        fetcher.OnData(1, 0, metadata.Length, Piece(metadata, 0));
        var mixed = fetcher.OnData(1, 1, metadata.Length, Piece(wrong, 1));
        Assert.Equal(MetadataResultKind.HashMismatch, mixed.Kind);
        Assert.False(fetcher.IsExcluded(1) || fetcher.IsExcluded(2));

        // Then one peer supplies a whole copy: the liar's fails and convicts it alone, the honest one's completes.
        Assert.Equal([0, 1, 2], fetcher.NextRequests(1, 1));
        Assert.Empty(fetcher.NextRequests(2, 1));
        fetcher.OnData(1, 0, metadata.Length, Piece(wrong, 0));
        fetcher.OnData(1, 2, metadata.Length, Piece(wrong, 2));
        Assert.Equal(MetadataResultKind.HashMismatch, fetcher.OnData(1, 1, metadata.Length, Piece(wrong, 1)).Kind);
        Assert.True(fetcher.IsExcluded(1));
        Assert.False(fetcher.IsExcluded(2));
        Assert.Equal([0, 1, 2], fetcher.NextRequests(2, 2));
        fetcher.OnData(2, 0, metadata.Length, Piece(metadata, 0));
        fetcher.OnData(2, 1, metadata.Length, Piece(metadata, 1));
        Assert.Equal(MetadataResultKind.Completed, fetcher.OnData(2, 2, metadata.Length, Piece(metadata, 2)).Kind);
    }

    [Fact]
    public void Absurd_sizes_are_refused()
    {
        var fetcher = new MetadataFetcher(Metadata(10).Hash, 1000);
        Assert.False(fetcher.Offer(1, UtMetadataMessage.MaxMetadataSize + 1));
        Assert.False(fetcher.Offer(2, 0));
        Assert.Null(fetcher.Size);
    }

    [Fact]
    public void A_rejecting_peer_is_dropped_and_its_pieces_go_to_another()
    {
        var (metadata, hash) = Metadata(20000);
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, metadata.Length);
        fetcher.Offer(2, metadata.Length);
        var asked = fetcher.NextRequests(1, 0);
        fetcher.OnReject(1, asked[0]);
        Assert.True(fetcher.IsExcluded(1));
        Assert.Equal(asked, fetcher.NextRequests(2, 0));
    }

    [Fact]
    public void A_piece_of_the_wrong_size_drops_its_sender_for_metadata()
    {
        var (metadata, hash) = Metadata(20000);
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, metadata.Length);
        fetcher.NextRequests(1, 0);
        Assert.Equal(MetadataResultKind.PeerDropped, fetcher.OnData(1, 1, metadata.Length, new byte[10]).Kind);
        Assert.True(fetcher.IsExcluded(1));
    }

    [Fact]
    public void Pieces_arriving_twice_or_out_of_order_still_assemble_once()
    {
        var (metadata, hash) = Metadata(40000);
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, metadata.Length);
        fetcher.NextRequests(1, 0);
        Assert.Equal(MetadataResultKind.Nothing, fetcher.OnData(1, 2, metadata.Length, Piece(metadata, 2)).Kind);
        Assert.Equal(MetadataResultKind.Nothing, fetcher.OnData(1, 2, metadata.Length, Piece(metadata, 2)).Kind);
        Assert.Equal(MetadataResultKind.Nothing, fetcher.OnData(1, 0, metadata.Length, Piece(metadata, 0)).Kind);
        Assert.Equal(MetadataResultKind.Completed, fetcher.OnData(1, 1, metadata.Length, Piece(metadata, 1)).Kind);
    }

    [Fact]
    public void Unanswered_requests_expire_and_a_peer_that_lets_two_lapse_is_dropped()
    {
        var (metadata, hash) = Metadata(1000);
        var fetcher = new MetadataFetcher(hash, requestTimeout: 10);
        fetcher.Offer(1, metadata.Length);
        Assert.Equal([0], fetcher.NextRequests(1, 0));
        fetcher.Expire(11);
        Assert.Equal([0], fetcher.NextRequests(1, 11));
        fetcher.Expire(22);
        Assert.True(fetcher.IsExcluded(1));
    }

    [Fact]
    public void A_liar_announcing_a_wrong_size_and_asked_first_is_left_for_the_size_the_others_announce()
    {
        // Issue 19, 6: the liar's size was kept after its copy failed, and the honest peer (offering the right size) was never asked.
        var (metadata, hash) = Metadata((2 * 16384) + 77);
        var lie = RandomNumberGenerator.GetBytes(metadata.Length + 500);
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, lie.Length);
        fetcher.Offer(2, metadata.Length);
        var asked = fetcher.NextRequests(1, 0);
        Assert.Equal([0, 1, 2], asked);
        Assert.Empty(fetcher.NextRequests(2, 0));

        MetadataResult result = default;
        foreach (var piece in asked)
        {
            result = fetcher.OnData(1, piece, lie.Length, Piece(lie, piece));
        }

        Assert.Equal(MetadataResultKind.HashMismatch, result.Kind);
        Assert.Equal(metadata.Length, fetcher.Size);
        Assert.True(fetcher.IsExcluded(1));
        var fromHonest = fetcher.NextRequests(2, 1);
        Assert.Equal([0, 1, 2], fromHonest);
        foreach (var piece in fromHonest)
        {
            result = fetcher.OnData(2, piece, metadata.Length, Piece(metadata, piece));
        }

        Assert.Equal(MetadataResultKind.Completed, result.Kind);
    }

    [Fact]
    public void A_size_whose_copy_failed_gives_way_to_a_size_offered_later()
    {
        var (metadata, hash) = Metadata(900);
        var lie = RandomNumberGenerator.GetBytes(1200);
        var fetcher = new MetadataFetcher(hash, 1000);
        fetcher.Offer(1, lie.Length);
        fetcher.Offer(3, lie.Length); // a second peer says the same wrong size, and stays quiet
        Assert.Equal([0], fetcher.NextRequests(1, 0));
        Assert.Equal(MetadataResultKind.HashMismatch, fetcher.OnData(1, 0, lie.Length, lie).Kind);
        Assert.Equal(lie.Length, fetcher.Size); // still offered by peer 3, and nothing else is

        fetcher.Offer(2, metadata.Length);

        Assert.Equal(metadata.Length, fetcher.Size);
        Assert.Equal([0], fetcher.NextRequests(2, 1));
        Assert.Equal(MetadataResultKind.Completed, fetcher.OnData(2, 0, metadata.Length, metadata).Kind);
    }

    [Fact]
    public void Only_an_answer_to_a_piece_asked_of_that_peer_is_taken_once()
    {
        var (metadata, hash) = Metadata((2 * 16384) + 1);
        var fetcher = new MetadataFetcher(hash, 10);
        fetcher.Offer(1, metadata.Length);
        fetcher.Offer(2, metadata.Length);
        Assert.Equal([0, 1, 2], fetcher.NextRequests(1, 0));

        Assert.True(fetcher.TakeAnswer(1, 2));
        Assert.False(fetcher.TakeAnswer(1, 2)); // twice
        Assert.False(fetcher.TakeAnswer(2, 0)); // never asked of peer 2

        // A late answer after the request timed out still counts.
        Assert.True(fetcher.TakeAnswer(1, 1));
        fetcher.OnData(1, 1, metadata.Length, Piece(metadata, 1));
        fetcher.OnData(1, 2, metadata.Length, Piece(metadata, 2));
        fetcher.Expire(100);
        Assert.False(fetcher.IsExcluded(1));
        Assert.True(fetcher.TakeAnswer(1, 0));
    }
}
