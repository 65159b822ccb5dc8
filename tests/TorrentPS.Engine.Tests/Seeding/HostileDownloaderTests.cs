using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>
/// Downloaders that break the rules, played over raw sockets against a real TorrentPS seeder: each ends or throttles
/// only its own connection. A well-behaved fake peer connected all along is still served afterwards, and an honest
/// TorrentPS downloader still completes.
/// </summary>
public sealed class HostileDownloaderTests
{
    private const int Block = PeerMessageLimits.BlockLength;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_request_for_a_piece_a_partial_seeder_lacks_ends_only_that_connection()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(has: i => i % 2 == 0);
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var hostile = await ConnectedAndUnchokedAsync(seeder);
        Assert.False(hostile.SeederHas![1]);

        await hostile.SendAsync(FakeDownloader.Request(1, 0, Block));

        Assert.True(await hostile.ClosedWithinAsync(Wait));
        Assert.True(await seeder.Log.WaitForAsync("requested piece 1, which we do not have"));
        await AssertServedAsync(seeder, bystander, 2, Block);
        await seeder.DownloadAsync(Wait, wanted: i => i % 2 == 0);
    }

    [Theory]
    [InlineData(0, 4 * Block - 8192, Block, "past its end")] // straddles the end of a full piece
    [InlineData(5, 0, Block, "past its end")] // the last piece is 1000 bytes
    [InlineData(6, 0, Block, "names piece 6; the torrent has 6")] // one past the last piece
    [InlineData(-1, 0, Block, "piece index 4294967295, past any torrent")]
    [InlineData(0, -16384, Block, "offset 4294950912, past any torrent")]
    public async Task A_request_outside_a_piece_or_the_torrent_ends_only_that_connection(int index, int begin, int length, string reason)
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var hostile = await ConnectedAndUnchokedAsync(seeder);

        await hostile.SendAsync(FakeDownloader.Request(index, begin, length));

        Assert.True(await hostile.ClosedWithinAsync(Wait));
        Assert.True(await seeder.Log.WaitForAsync(reason), string.Join("\n", seeder.Log.Messages));
        await AssertServedAsync(seeder, bystander, 5, 0, 1000);
        await seeder.DownloadAsync(Wait);
    }

    [Theory]
    [InlineData(Block + 1)]
    [InlineData(128 * 1024)]
    [InlineData(0)]
    public async Task A_request_for_more_than_16_KiB_or_for_nothing_ends_only_that_connection(int length)
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var hostile = await ConnectedAndUnchokedAsync(seeder);

        await hostile.SendAsync(FakeDownloader.Request(0, 0, length));

        Assert.True(await hostile.ClosedWithinAsync(Wait));
        Assert.True(await seeder.Log.WaitForAsync($"for {length} bytes"), string.Join("\n", seeder.Log.Messages));
        await AssertServedAsync(seeder, bystander, 0, 0);
        await seeder.DownloadAsync(Wait);
    }

    [Fact]
    public async Task Requests_beyond_the_queue_limit_are_rejected_with_BEP_6_and_every_request_is_answered_once()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var flooder = await ConnectedAndUnchokedAsync(seeder);
        var count = 3 * PeerLink.UploadQueueLimit;

        // Sent in one go and read only afterwards: our answers pile up in the socket, so the queue fills.
        await flooder.SendAsync(FloodOfRequests(seeder, count));
        var (pieces, rejects) = await CountAnswersAsync(seeder, flooder, count);

        Assert.Equal(count, pieces + rejects);
        Assert.True(rejects > 0, "nothing was rejected");
        Assert.True(pieces >= PeerLink.UploadQueueLimit, $"only {pieces} requests were served");
        await AssertServedAsync(seeder, flooder, 1, Block);
        await AssertServedAsync(seeder, bystander, 2, Block);
        await seeder.DownloadAsync(Wait);
    }

    [Fact]
    public async Task Requests_beyond_the_queue_limit_are_dropped_without_BEP_6()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var flooder = await ConnectedAndUnchokedAsync(seeder, fast: false);
        var count = 3 * PeerLink.UploadQueueLimit;

        await flooder.SendAsync(FloodOfRequests(seeder, count));
        var pieces = 0;
        while (await flooder.ReadAsync(TimeSpan.FromSeconds(2)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null) is { } message)
        {
            Assert.Equal(PeerMessageType.Piece, message.Type);
            pieces++;
        }

        Assert.InRange(pieces, PeerLink.UploadQueueLimit, count - 1);
        await AssertServedAsync(seeder, flooder, 1, Block);
        await AssertServedAsync(seeder, bystander, 2, Block);
        await seeder.DownloadAsync(Wait);
    }

    [Fact]
    public async Task Requests_while_choked_are_rejected_with_BEP_6()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var choked = await seeder.ConnectFakeAsync();

        // Never interested, so never unchoked.
        await choked.SendAsync(FakeDownloader.Request(0, 0, Block), FakeDownloader.Request(3, Block, Block));

        var first = await choked.ReadUntilAsync(PeerMessageType.RejectRequest, Wait);
        var second = await choked.ReadUntilAsync(PeerMessageType.RejectRequest, Wait);
        Assert.Equal((0, 0, Block), (first.Index, first.Begin, first.Length));
        Assert.Equal((3, Block, Block), (second.Index, second.Begin, second.Length));
        Assert.False(choked.Unchoked);
        await choked.InterestedAndUnchokedAsync(Wait);
        await AssertServedAsync(seeder, choked, 0, 0);
    }

    [Fact]
    public async Task Requests_while_choked_are_ignored_without_BEP_6()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var choked = await seeder.ConnectFakeAsync(fast: false);
        await choked.ReadUntilAsync(PeerMessageType.Bitfield, Wait);

        await choked.SendAsync(FakeDownloader.Request(0, 0, Block), FakeDownloader.Request(3, Block, Block));

        await Assert.ThrowsAsync<TimeoutException>(() => choked.ReadAsync(TimeSpan.FromSeconds(1)));
        await choked.InterestedAndUnchokedAsync(Wait);
        await AssertServedAsync(seeder, choked, 0, 0);
    }

    [Fact]
    public async Task A_cancelled_request_is_answered_with_a_reject_under_BEP_6()
    {
        // A slow upload keeps the writer busy with the first requests, so the later ones are still queued when cancelled.
        await using var seeder = await LoopbackSeeder.StartAsync(configure: o => o with { UploadRateLimit = 4 * Block });
        await using var peer = await ConnectedAndUnchokedAsync(seeder);
        var requests = FloodOfRequests(seeder, 16);
        await peer.SendAsync(requests[..8]);
        await peer.ReadUntilAsync(PeerMessageType.Piece, Wait);
        await peer.SendAsync(requests[8..]);
        await peer.SendAsync(Enumerable.Range(0, 4).Select(b => FakeDownloader.Cancel(3, b * Block, Block)).ToArray());

        var answers = new List<FakeMessage>();
        while (answers.Count < requests.Length - 1)
        {
            var message = await peer.ReadAsync(Wait) ?? throw new InvalidOperationException("The seeder hung up.");
            if (message.Type is PeerMessageType.Piece or PeerMessageType.RejectRequest)
            {
                answers.Add(message);
            }
        }

        Assert.Equal(15, answers.Select(a => (a.Index, a.Begin)).Distinct().Count());
        Assert.Equal(4, answers.Count(a => a.Type == PeerMessageType.RejectRequest && a.Index == 3));
        Assert.DoesNotContain(answers, a => a.Type == PeerMessageType.RejectRequest && a.Index != 3);
    }

    [Fact]
    public async Task A_BEP_6_peer_that_floods_requests_without_reading_is_dropped_before_our_queue_grows()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var flooder = await ConnectedAndUnchokedAsync(seeder, receiveBuffer: 4096);
        var chunk = FloodOfRequests(seeder, 4096).SelectMany(r => r).ToArray();

        // Each request past the queue limit costs the seeder a queued reject; a seeder that went on taking them would
        // read all 256 MB (15 million requests) within seconds, and hold a reject for each.
        var written = 0L;
        try
        {
            while (written < 256L * 1024 * 1024)
            {
                await flooder.SendAsync(chunk).WaitAsync(TimeSpan.FromSeconds(5));
                written += chunk.Length;
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            // Hung up on (or no longer read from): what the test wants.
        }

        Assert.True(written < 64L * 1024 * 1024, $"the seeder took {written} bytes of requests from a peer that reads nothing");
        Assert.True(await seeder.Log.WaitForAsync("without reading our answers"), string.Join("\n", seeder.Log.Messages));
        await AssertServedAsync(seeder, bystander, 2, Block);
        await seeder.DownloadAsync(Wait);
    }

    [Fact]
    public async Task A_peer_that_never_reads_is_dropped_when_our_send_times_out_and_only_it()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(length: 64 * 16384, configure: o => o with { MessageTimeout = TimeSpan.FromSeconds(1) });
        await using var bystander = await ConnectedAndUnchokedAsync(seeder);
        await using var sink = await ConnectedAndUnchokedAsync(seeder, receiveBuffer: 4096);

        // Within the queue limit, and far more than the socket buffers hold (1024 blocks: 16 MiB).
        await sink.SendAsync(FloodOfRequests(seeder, PeerLink.UploadQueueLimit));

        Assert.True(await seeder.Log.WaitForAsync("read nothing we sent"), string.Join("\n", seeder.Log.Messages));
        await seeder.WaitForPeersAsync(1, Wait);
        Assert.True(seeder.Torrent.Status.Uploaded < 12L * 1024 * 1024, $"{seeder.Torrent.Status.Uploaded} bytes went to a peer that reads nothing");
        await AssertServedAsync(seeder, bystander, 2, Block);
        await seeder.DownloadAsync(Wait);
    }

    [Fact]
    public async Task Uploads_still_queued_for_a_peer_we_choke_are_rejected_with_BEP_6()
    {
        // As above: the writer is busy with the first eight blocks while the next eight wait in the queue.
        await using var seeder = await LoopbackSeeder.StartAsync(configure: o => o with { UploadRateLimit = 4 * Block });
        await using var peer = await ConnectedAndUnchokedAsync(seeder);
        var requests = FloodOfRequests(seeder, 16);
        await peer.SendAsync(requests[..8]);
        await peer.ReadUntilAsync(PeerMessageType.Piece, Wait);

        // No longer interested: the seeder chokes it at once and takes back what was still queued.
        await peer.SendAsync([.. requests[8..], FakeDownloader.Signal(PeerMessageType.NotInterested)]);
        var (pieces, rejects) = await CountAnswersAsync(seeder, peer, requests.Length - 1);

        Assert.Equal(15, pieces + rejects);
        Assert.InRange(rejects, 8, 15);
        Assert.False(peer.Unchoked);
    }

    /// <summary>A well-behaved peer that dialled the seeder, said interested and was unchoked.</summary>
    internal static async Task<FakeDownloader> ConnectedAndUnchokedAsync(LoopbackSeeder seeder, bool fast = true, int? receiveBuffer = null)
    {
        var peer = await seeder.ConnectFakeAsync(fast, receiveBuffer);
        try
        {
            await peer.InterestedAndUnchokedAsync(Wait);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Asks for one block and checks the bytes that come back are the seeder's.</summary>
    internal static async Task AssertServedAsync(LoopbackSeeder seeder, FakeDownloader peer, int index, int begin, int length = Block)
    {
        await peer.SendAsync(FakeDownloader.Request(index, begin, length));
        while (true)
        {
            var piece = await peer.ReadUntilAsync(PeerMessageType.Piece, Wait);
            if ((piece.Index, piece.Begin) == (index, begin))
            {
                Assert.True(seeder.Block(index, begin, length).SequenceEqual(piece.Block), $"block {index}:{begin} differs from the seeder's");
                return;
            }
        }
    }

    /// <summary><paramref name="count"/> requests for blocks the seeder has, cycling through the torrent's full pieces.</summary>
    internal static byte[][] FloodOfRequests(LoopbackSeeder seeder, int count)
    {
        var blocksPerPiece = (int)(seeder.Info.PieceLength / Block);
        var blocks = (seeder.Info.PieceCount - 1) * blocksPerPiece;
        return Enumerable.Range(0, count).Select(i => FakeDownloader.Request(i % blocks / blocksPerPiece, i % blocksPerPiece * Block, Block)).ToArray();
    }

    /// <summary>Reads answers until <paramref name="expected"/> came or the seeder goes quiet; checks every block's bytes.</summary>
    internal static async Task<(int Pieces, int Rejects)> CountAnswersAsync(LoopbackSeeder seeder, FakeDownloader peer, int expected)
    {
        var (pieces, rejects) = (0, 0);
        while (pieces + rejects < expected)
        {
            var message = await peer.ReadAsync(Wait) ?? throw new InvalidOperationException($"The seeder hung up after {pieces} pieces and {rejects} rejects.");
            if (message.Type == PeerMessageType.Piece)
            {
                Assert.True(seeder.Block(message.Index, message.Begin, message.Length).SequenceEqual(message.Block));
                pieces++;
            }
            else if (message.Type == PeerMessageType.RejectRequest)
            {
                rejects++;
            }
        }

        return (pieces, rejects);
    }
}
