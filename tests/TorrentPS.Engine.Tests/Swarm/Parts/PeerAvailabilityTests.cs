using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>What peers have, alone: availability for the picker, our interest, what we tell them, what came before the metadata.</summary>
public sealed class PeerAvailabilityTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PeerOutbox _outbox = new();
    private readonly PeerRoster _roster;
    private readonly PeerAvailability _availability;

    public PeerAvailabilityTests()
    {
        _roster = new PeerRoster(new RosterSettings(50, 8, Peers.PeerId.Generate(), _ => false), new RecordingDialer(), new CountingBudget(), _outbox, _ => { }, _time, NullLogger.Instance, "t");
        _availability = new PeerAvailability(_outbox, _roster);
    }

    private (RecordingLink, PeerState) Connect(bool fast = true)
    {
        var link = new RecordingLink(outgoing: false, fast: fast);
        return (link, _roster.Admit(link, stopping: false)!);
    }

    private static byte[] BitfieldOf(int count, params int[] pieces)
    {
        var bitfield = new Bitfield(count);
        foreach (var piece in pieces)
        {
            bitfield[piece] = true;
        }

        return bitfield.ToArray();
    }

    [Fact]
    public void A_bitfield_counts_for_availability_and_makes_us_interested_in_what_we_lack()
    {
        var torrent = new PartsTorrent(pieces: 8);
        _availability.Adopt(torrent.Picker, []);
        var (link, peer) = Connect();

        Assert.True(_availability.OnBitfield(peer, BitfieldOf(8, 1, 5)));

        Assert.Equal((1, 1, 0), (torrent.Picker.Availability(1), torrent.Picker.Availability(5), torrent.Picker.Availability(2)));
        Assert.Equal(2, peer.Interesting);
        Assert.Equal([PeerMessageType.Interested], link.Types);
    }

    [Fact]
    public void A_have_of_its_last_missing_piece_makes_the_peer_a_seed()
    {
        var torrent = new PartsTorrent(pieces: 4);
        _availability.Adopt(torrent.Picker, []);
        var (_, peer) = Connect();
        _availability.OnBitfield(peer, BitfieldOf(4, 0, 1, 2));

        _availability.OnHave(peer, 3);

        Assert.True(peer.IsSeed);
        Assert.Null(peer.Have);
        Assert.Equal(1, torrent.Picker.Availability(3));
        Assert.Equal(1, torrent.Picker.Availability(0));
    }

    [Fact]
    public void What_a_peer_said_before_the_metadata_counts_once_the_pieces_are_known()
    {
        var (_, early) = Connect();
        var (_, seed) = Connect();
        Assert.False(_availability.OnBitfield(early, BitfieldOf(8, 2)));
        Assert.False(_availability.OnHave(early, 6));
        Assert.False(_availability.OnHaveAll(seed));

        var torrent = new PartsTorrent(pieces: 8);
        var wake = new List<PeerState>();
        _availability.Adopt(torrent.Picker, wake);

        Assert.Equal(2, wake.Count);
        Assert.True(seed.IsSeed);
        Assert.True(early.Has(2) && early.Has(6));
        Assert.Equal(2, torrent.Picker.Availability(2));
    }

    [Fact]
    public void A_new_peer_hears_have_none_before_we_have_anything_and_have_all_once_complete()
    {
        var (before, peer) = Connect();
        _availability.Greet(peer);
        Assert.Equal([PeerMessageType.HaveNone], before.Types);

        var all = new Bitfield(8);
        all.SetAll();
        _availability.Adopt(new PartsTorrent(pieces: 8, have: all).Picker, []);
        var (after, late) = Connect();
        var (plain, old) = Connect(fast: false);
        _availability.Greet(late);
        _availability.Greet(old);

        Assert.Equal([PeerMessageType.HaveAll], after.Types);
        Assert.Equal([PeerMessageType.Bitfield], plain.Types);
    }

    [Fact]
    public void A_verified_piece_is_announced_to_peers_that_lack_it_and_ends_interest_in_one_that_had_only_it()
    {
        var torrent = new PartsTorrent(pieces: 8);
        _availability.Adopt(torrent.Picker, []);
        var (holderLink, holder) = Connect();
        var (lackerLink, _) = Connect();
        _availability.OnBitfield(holder, BitfieldOf(8, 4));

        torrent.Picker.MarkVerified(4);
        _availability.OnPieceVerified(4);

        Assert.Equal([PeerMessageType.Have], lackerLink.Types);
        Assert.Equal([PeerMessageType.Interested, PeerMessageType.NotInterested], holderLink.Types);
    }
}
