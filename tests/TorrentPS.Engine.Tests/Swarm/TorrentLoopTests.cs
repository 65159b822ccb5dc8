using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>The torrent loop's logic with simulated peers and a fake clock: no sockets.</summary>
public sealed class TorrentLoopTests
{
    [Fact]
    public async Task A_download_from_one_seed_completes_with_every_byte_and_stops_as_Completed()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var seed = await swarm.ConnectAsync();
        Assert.Contains(seed.Sent, m => m.Type == PeerMessageType.Interested);

        await swarm.ServeAsync(seed);

        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
        Assert.Equal(swarm.Info.PieceCount, result.VerifiedPieces);
        Assert.True(swarm.Data.LastCheckpoint!.IsComplete);
    }

    [Fact]
    public async Task Nothing_is_requested_from_a_peer_that_chokes_us_and_its_requests_go_elsewhere_when_it_chokes()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var choking = await swarm.ConnectAsync(unchoke: false);
        Assert.Empty(choking.OpenRequests());

        // Without the fast extension a choke drops every request (with it, the peer still answers each one).
        var first = await swarm.ConnectAsync(fast: false);
        var taken = first.OpenRequests();
        Assert.NotEmpty(taken);

        first.ClearSent();
        first.Say(new IncomingMessage(PeerMessageType.Choke));
        choking.Say(new IncomingMessage(PeerMessageType.Unchoke));
        await swarm.SettleAsync();

        // The blocks the first peer held are asked of the other one now.
        var moved = choking.OpenRequests();
        Assert.Contains(moved, r => r.Index == taken[0].Index && r.Begin == taken[0].Begin);
    }

    [Fact]
    public async Task Only_pieces_a_peer_has_are_requested_from_it()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var partial = await swarm.ConnectAsync(has: i => i % 2 == 1);
        var requests = partial.OpenRequests();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal(1, r.Index % 2));
    }

    [Fact]
    public async Task The_rarest_piece_is_started_first()
    {
        // 5 pieces, past the random first pieces: 4 already here, so the picker is in rarest-first mode.
        var have = new Bitfield(9);
        have[0] = have[1] = have[2] = have[3] = true;
        await using var swarm = await SimulatedSwarm.StartAsync(length: 9 * 2 * 16384, have: have);
        var common = new SimulatedPeer(swarm.Torrent);
        common.Connect();
        common.SayBitfield(9, i => i != 7); // everything but 7
        var other = new SimulatedPeer(swarm.Torrent);
        other.Connect();
        other.SayBitfield(9, _ => true); // everything: piece 7 is held by one peer only, the others by two
        await swarm.SettleAsync();

        other.Say(new IncomingMessage(PeerMessageType.Unchoke));
        await swarm.SettleAsync();
        Assert.Equal(7, other.OpenRequests()[0].Index);
    }

    [Fact]
    public async Task A_started_piece_is_finished_before_a_new_one_starts()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(configure: o => o);
        var seed = await swarm.ConnectAsync();
        var requested = seed.OpenRequests().Select(r => r.Index).ToList();

        // Blocks come in the order asked: each piece's blocks are asked for together, never interleaved with another's.
        var firstOfEach = requested.Distinct().ToList();
        var runs = requested.Zip(requested.Skip(1)).Count(p => p.First != p.Second);
        Assert.Equal(firstOfEach.Count - 1, runs);
    }

    [Fact]
    public async Task Endgame_asks_a_second_peer_for_the_last_blocks_and_cancels_the_copy_not_needed()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(length: 2 * 16384, pieceLength: 2 * 16384);
        var slow = await swarm.ConnectAsync();
        Assert.Equal(2, slow.OpenRequests().Count);

        // The second peer is asked for one copy at a time, the last block first.
        var fast = await swarm.ConnectAsync();
        var copy = Assert.Single(fast.OpenRequests());
        Assert.Equal(16384, copy.Begin);

        slow.ClearSent();
        await swarm.ServeAsync(fast);

        Assert.Equal(2, slow.Sent.Count(m => m.Type == PeerMessageType.Cancel));
        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
    }

    [Fact]
    public async Task A_peer_that_delivers_nothing_within_the_request_timeout_is_snubbed_and_its_blocks_go_to_another()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(configure: o => o with { RequestTimeout = TimeSpan.FromSeconds(5) });
        var silent = await swarm.ConnectAsync();
        var held = silent.OpenRequests();
        Assert.NotEmpty(held);

        var other = await swarm.ConnectAsync(unchoke: false);
        silent.ClearSent();
        await swarm.AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Equal(held.Count, silent.Sent.Count(m => m.Type == PeerMessageType.Cancel));

        other.Say(new IncomingMessage(PeerMessageType.Unchoke));
        await swarm.SettleAsync();

        // With nobody else to ask, the snubbed peer kept one request; every other block it held went to the other peer.
        var stillSilent = silent.OpenRequests();
        Assert.True(stillSilent.Count <= 1);
        var taken = other.OpenRequests();
        Assert.All(held.Where(h => !stillSilent.Any(s => s.Index == h.Index && s.Begin == h.Begin)), h => Assert.Contains(taken, r => r.Index == h.Index && r.Begin == h.Begin));
    }

    [Fact]
    public async Task A_rejected_request_goes_back_to_the_pool()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var rejecting = await swarm.ConnectAsync();
        var first = rejecting.OpenRequests()[0];
        var other = await swarm.ConnectAsync(unchoke: false);

        rejecting.Say(new IncomingMessage(PeerMessageType.RejectRequest, first.Index, first.Begin, first.Length), new IncomingMessage(PeerMessageType.Choke));
        other.Say(new IncomingMessage(PeerMessageType.Unchoke));
        await swarm.SettleAsync();
        Assert.Contains(other.OpenRequests(), r => r.Index == first.Index && r.Begin == first.Begin);
    }

    [Fact]
    public async Task Corrupt_data_fails_its_piece_which_is_fetched_again_and_the_liar_is_banned_after_repeated_failures()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(length: 6 * 16384, pieceLength: 16384);
        var liar = await swarm.ConnectAsync();
        await swarm.ServeAsync(liar, corrupt: true, rounds: 3);
        Assert.True(liar.IsClosed, "the peer whose data failed twice is disconnected");
        Assert.Contains("failed the hash check", liar.CloseReason);

        // Banned for the session: the same peer coming back is dropped.
        var returning = new TwinPeer(swarm.Torrent, liar);
        returning.Connect();
        await swarm.SettleAsync();
        Assert.Equal("it is banned for sending bad data", returning.CloseReason);

        var honest = await swarm.ConnectAsync();
        await swarm.ServeAsync(honest);
        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.True(result.HashFailures >= 2);
        Assert.Equal(swarm.Content, swarm.Data.Content);
    }

    [Fact]
    public async Task A_piece_the_liar_broke_is_asked_of_another_peer_first()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(length: 2 * 16384, pieceLength: 2 * 16384);
        var liar = await swarm.ConnectAsync();
        liar.Deliver(liar.OpenRequests().Select(r => swarm.BlockFor(r, corrupt: true)));
        await swarm.SettleAsync();
        liar.ClearSent();

        // The liar was asked again (nobody else had the piece); the honest peer gets copies, one at a time, and the
        // piece comes from it.
        var honest = await swarm.ConnectAsync();
        Assert.NotEmpty(honest.OpenRequests());
        await swarm.ServeAsync(honest);

        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
    }

    [Fact]
    public async Task Each_verified_piece_is_announced_with_have_to_peers_that_lack_it()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var seed = await swarm.ConnectAsync();
        var leech = await swarm.ConnectAsync(has: _ => false, unchoke: false);
        var requests = seed.OpenRequests().Where(r => r.Index == seed.OpenRequests()[0].Index).ToList();
        seed.Deliver(requests.Select(r => swarm.BlockFor(r)));
        await swarm.SettleAsync();
        Assert.Contains(leech.Sent, m => m.Type == PeerMessageType.Have && m.Index == requests[0].Index);
        Assert.DoesNotContain(seed.Sent, m => m.Type == PeerMessageType.Have);
    }

    [Fact]
    public async Task We_are_not_interested_in_a_peer_without_anything_we_lack()
    {
        var have = new Bitfield(5);
        have[0] = true;
        await using var swarm = await SimulatedSwarm.StartAsync(have: have);
        var poor = await swarm.ConnectAsync(has: i => i == 0);
        Assert.DoesNotContain(poor.Sent, m => m.Type == PeerMessageType.Interested);
        poor.Say(new IncomingMessage(PeerMessageType.Have, 3));
        await swarm.SettleAsync();
        Assert.Contains(poor.Sent, m => m.Type == PeerMessageType.Interested);
    }

    [Fact]
    public async Task A_new_peer_hears_what_we_have()
    {
        var have = new Bitfield(5);
        have[2] = true;
        await using var swarm = await SimulatedSwarm.StartAsync(have: have);
        var fast = await swarm.ConnectAsync(unchoke: false);
        var plain = await swarm.ConnectAsync(unchoke: false, fast: false, has: _ => true);
        var bitfield = Assert.Single(plain.Sent, m => m.Type == PeerMessageType.Bitfield);
        Assert.Equal(new byte[] { 0x20 }, bitfield.Payload);
        Assert.Contains(fast.Sent, m => m.Type == PeerMessageType.Bitfield);
    }

    [Fact]
    public async Task With_no_progress_for_the_timeout_the_download_fails_with_DownloadStalled()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(configure: o => o with { NoProgressTimeout = TimeSpan.FromSeconds(3) });
        await swarm.AdvanceAsync(TimeSpan.FromSeconds(6));
        var error = await Assert.ThrowsAsync<DownloadStalledException>(() => swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("DownloadStalled", error.ErrorId);
        Assert.Contains("made no progress for 3 seconds", error.Message);
    }

    [Fact]
    public async Task Stopping_saves_a_checkpoint_and_ends_as_Stopped()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var seed = await swarm.ConnectAsync();
        var firstPiece = seed.OpenRequests().Where(r => r.Index == seed.OpenRequests()[0].Index).ToList();
        seed.Deliver(firstPiece.Select(r => swarm.BlockFor(r)));
        await swarm.SettleAsync();

        var result = await swarm.Torrent.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Stopped, result.State);
        Assert.Equal(1, result.VerifiedPieces);
        Assert.True(seed.IsClosed);
        Assert.Equal(1, swarm.Data.LastCheckpoint!.Count);
    }

    [Fact]
    public async Task A_second_connection_with_a_connected_peers_id_is_dropped_from_its_ip_and_kept_from_another_address()
    {
        await using var swarm = await SimulatedSwarm.StartAsync();
        var first = await swarm.ConnectAsync();
        var twin = new TwinPeer(swarm.Torrent, first);
        var impostor = new TwinPeer(swarm.Torrent, first, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.250.250"), 9));
        twin.Connect();
        impostor.Connect();
        await swarm.SettleAsync();
        Assert.True(twin.IsClosed);
        Assert.Equal("already connected to this peer (same ip, same peer id)", twin.CloseReason);
        Assert.False(impostor.IsClosed, "a copied peer id from another address is another peer");
        Assert.False(first.IsClosed);
    }

    [Fact]
    public async Task Interested_peers_are_unchoked_up_to_the_slots_and_the_rest_stay_choked()
    {
        var have = new Bitfield(5);
        have.SetAll();
        await using var swarm = await SimulatedSwarm.StartAsync(have: have, configure: o => o with { SeedUntilStopped = true });
        var peers = new List<SimulatedPeer>();
        for (var i = 0; i < 7; i++)
        {
            var peer = await swarm.ConnectAsync(has: _ => false, unchoke: false);
            peer.Say(new IncomingMessage(PeerMessageType.Interested));
            peers.Add(peer);
        }

        await swarm.AdvanceAsync(TimeSpan.FromSeconds(11));
        var unchoked = peers.Count(p => !p.AmChoking);
        Assert.Equal(Choker.DefaultSlots + 1, unchoked);
    }

    /// <summary>A simulated peer that introduces itself with another's peer id.</summary>
    /// <summary>A connection claiming <paramref name="twin"/>'s peer id: from its ip (another port) unless <paramref name="endPoint"/> says elsewhere.</summary>
    private sealed class TwinPeer(TorrentRun torrent, SimulatedPeer twin, System.Net.IPEndPoint? endPoint = null) : IPeerLink
    {
        private static int _nextId = 99_999;

        public int Id { get; } = Interlocked.Increment(ref _nextId);

        public System.Net.IPEndPoint EndPoint { get; } = endPoint ?? new(twin.EndPoint.Address, 9);

        public TorrentPS.Engine.Peers.PeerId PeerId => twin.PeerId;

        public bool IsOutgoing => false;

        public bool FastExtension => true;

        public bool ExtensionProtocol => true;

        public long DownloadedBytes => 0;

        public long UploadedBytes => 0;

        public int QueuedUploads => 0;

        public bool AmChoking { get; set; } = true;

        public bool IsClosed { get; private set; }

        public string? CloseReason { get; private set; }

        public void Connect() => torrent.AdoptLink(this);

        public void Enqueue(in OutgoingMessage message)
        {
        }

        public void Flush()
        {
        }

        public void Expect(in BlockExpectation expectation)
        {
        }

        public void SetPieceCount(int pieceCount)
        {
        }

        public List<OutgoingMessage> TakeUploads() => [];

        public void Close(string reason)
        {
            IsClosed = true;
            CloseReason = reason;
            torrent.Post(new SwarmEvent.PeerClosed(this, reason));
        }
    }
}
