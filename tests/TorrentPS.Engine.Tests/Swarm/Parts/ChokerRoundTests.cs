using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>The choker's rounds applied to peers (the decision itself: ChokerTests). A fake clock.</summary>
public sealed class ChokerRoundTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PeerOutbox _outbox = new();
    private readonly PeerRoster _roster;
    private readonly Choker _choker;

    public ChokerRoundTests()
    {
        _roster = new PeerRoster(new RosterSettings(50, 8, Peers.PeerId.Generate(), _ => false), new RecordingDialer(), new CountingBudget(), _outbox, _ => { }, _time, NullLogger.Instance, "t");
        _choker = new Choker(_roster, _outbox, slots: 2, _time);
    }

    private (RecordingLink, PeerState) Interested()
    {
        var link = new RecordingLink(outgoing: false);
        var peer = _roster.Admit(link, stopping: false)!;
        _choker.OnInterest(peer, interested: true);
        return (link, peer);
    }

    [Fact]
    public void Interest_asks_for_a_round_at_once_and_the_slots_plus_one_optimistic_are_unchoked()
    {
        var peers = Enumerable.Range(0, 5).Select(_ => Interested()).ToList();

        _choker.Run(_time.GetTimestamp(), seeding: true, canServe: true);

        Assert.Equal(3, peers.Count(p => !p.Item2.AmChoking));
        Assert.All(peers.Where(p => !p.Item2.AmChoking), p => Assert.Equal([PeerMessageType.Unchoke], p.Item1.Types));
        Assert.All(peers.Where(p => !p.Item2.AmChoking), p => Assert.False(p.Item1.AmChoking));
    }

    [Fact]
    public void Without_a_reason_no_round_runs_until_one_is_due()
    {
        var (link, peer) = Interested();
        _choker.Run(_time.GetTimestamp(), seeding: true, canServe: true);
        Assert.False(peer.AmChoking);

        // Its interest ends without anyone asking for a round: it keeps its slot until the next round is due.
        peer.PeerInterested = false;
        _time.Advance(Choker.Round - TimeSpan.FromSeconds(1));
        _choker.Run(_time.GetTimestamp(), seeding: true, canServe: true);
        Assert.False(peer.AmChoking);

        _time.Advance(TimeSpan.FromSeconds(1));
        _choker.Run(_time.GetTimestamp(), seeding: true, canServe: true);
        Assert.True(peer.AmChoking);
        Assert.Equal([PeerMessageType.Unchoke, PeerMessageType.Choke], link.Types);
    }

    [Fact]
    public void Nothing_is_unchoked_before_there_are_pieces_to_serve()
    {
        var (link, peer) = Interested();

        _choker.Run(_time.GetTimestamp(), seeding: false, canServe: false);

        Assert.True(peer.AmChoking);
        Assert.Empty(link.Queued);
    }

    [Fact]
    public void A_choked_peers_queued_uploads_are_taken_back_and_rejected_with_the_fast_extension()
    {
        var (link, peer) = Interested();
        _choker.Run(_time.GetTimestamp(), seeding: true, canServe: true);
        link.Uploads.Add(OutgoingMessage.Piece(3, 0, 16384));

        _choker.OnInterest(peer, interested: false);
        _choker.Run(_time.GetTimestamp(), seeding: true, canServe: true);

        Assert.True(peer.AmChoking);
        Assert.Equal([PeerMessageType.Unchoke, PeerMessageType.Choke, PeerMessageType.RejectRequest], link.Types);
        Assert.Empty(link.Uploads);
    }
}
