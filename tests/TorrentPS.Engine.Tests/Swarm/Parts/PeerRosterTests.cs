using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>The roster alone: whom it dials, whom it keeps, how it backs off and bans. A fake clock, no sockets.</summary>
public sealed class PeerRosterTests
{
    private static readonly InfoHash Hash = InfoHash.Parse(new string('b', 40));
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingDialer _dialer = new();
    private readonly CountingBudget _budget = new();
    private readonly PeerOutbox _outbox = new();
    private readonly List<string> _errors = [];
    private readonly PeerId _self = PeerId.Generate();

    private PeerRoster Roster(int maxConnections = 50, int maxHalfOpen = 8, IPEndPoint? own = null)
        => new(new RosterSettings(maxConnections, maxHalfOpen, _self, e => e.Equals(own)) { HurriedHalfOpen = maxHalfOpen }, _dialer, _budget, _outbox, _errors.Add, _time, NullLogger.Instance, "t");

    private static TorrentPeer[] Peers(int count, int first = 1)
        => Enumerable.Range(first, count).Select(i => new TorrentPeer(new IPAddress([127, 0, 5, (byte)i]), 7000 + i, Hash, PeerSource.Tracker)).ToArray();

    [Fact]
    public void Dials_no_more_than_the_half_open_bound_and_the_connection_limit()
    {
        var roster = Roster(maxConnections: 5, maxHalfOpen: 3);
        Assert.Equal(10, roster.Add(Peers(10)));

        roster.DialMore();
        Assert.Equal(3, _dialer.Dialled.Count);
        Assert.Equal(3, roster.Connecting);

        foreach (var endPoint in _dialer.Dialled.ToList())
        {
            Assert.NotNull(roster.Admit(new RecordingLink(endPoint: endPoint), stopping: false));
        }

        roster.DialMore();
        Assert.Equal(5, _dialer.Dialled.Count); // 3 connected + 2 dialling = the limit of 5
        Assert.Equal(5, _budget.InUse);
    }

    [Fact]
    public void Our_own_address_and_repeats_are_not_added()
    {
        var own = new IPEndPoint(new IPAddress([127, 0, 5, 1]), 7001);
        var roster = Roster(own: own);

        Assert.Equal(2, roster.Add(Peers(3)));
        Assert.Equal(0, roster.Add(Peers(3)));
        Assert.Equal(2, roster.KnownCount);
    }

    [Fact]
    public void A_failed_dial_backs_off_and_is_dialled_again_after_the_delay()
    {
        var roster = Roster();
        roster.Add(Peers(1));
        roster.DialMore();
        var endPoint = Assert.Single(_dialer.Dialled);

        roster.ConnectFailed(endPoint, "refused");
        Assert.Equal(0, _budget.InUse);
        Assert.Contains(_errors, e => e.Contains("refused", StringComparison.Ordinal));
        roster.DialMore();
        Assert.Single(_dialer.Dialled);

        _time.Advance(TimeSpan.FromSeconds(6));
        roster.DialMore();
        Assert.Equal(2, _dialer.Dialled.Count);
    }

    [Fact]
    public void Connections_to_ourselves_to_banned_peers_and_twice_to_one_peer_are_refused()
    {
        var roster = Roster();
        var first = new RecordingLink(outgoing: false);
        Assert.NotNull(roster.Admit(first, stopping: false));

        var self = new RecordingLink(outgoing: false, peerId: _self);
        var again = new RecordingLink(outgoing: false, endPoint: first.EndPoint);
        var twin = new RecordingLink(outgoing: false, endPoint: new IPEndPoint(first.EndPoint.Address, first.EndPoint.Port + 1), peerId: first.PeerId);
        Assert.Null(roster.Admit(self, stopping: false));
        Assert.Null(roster.Admit(again, stopping: false));
        Assert.Null(roster.Admit(twin, stopping: false));
        Assert.Equal("it is ourselves", self.ClosedFor);
        Assert.Equal($"already connected to this peer ({first.EndPoint})", again.ClosedFor);
        Assert.Equal("already connected to this peer (same ip, same peer id)", twin.ClosedFor);

        roster.TryGet(first.Id, out var peer);
        roster.Ban(peer, "sent bad data");
        roster.Remove(first, "sent bad data", stopping: false);
        var back = new RecordingLink(outgoing: false, endPoint: first.EndPoint);
        var sameIdSameIp = new RecordingLink(outgoing: false, endPoint: new IPEndPoint(first.EndPoint.Address, 1234), peerId: first.PeerId);
        Assert.Null(roster.Admit(back, stopping: false));
        Assert.Null(roster.Admit(sameIdSameIp, stopping: false));
        Assert.Equal("it is banned for sending bad data", back.ClosedFor);
        Assert.Equal("it is banned for sending bad data", sameIdSameIp.ClosedFor);
        Assert.Equal(0, roster.Add([new TorrentPeer(first.EndPoint.Address, first.EndPoint.Port, Hash, PeerSource.Pex)]));
    }

    [Fact]
    public void A_peer_that_leaves_gives_its_session_slot_back_and_is_gone_from_the_roster()
    {
        var roster = Roster();
        var link = new RecordingLink(outgoing: false);
        var peer = roster.Admit(link, stopping: false);
        Assert.Equal(1, _budget.InUse);

        Assert.Same(peer, roster.Remove(link, "closed", stopping: false));
        Assert.Null(roster.Remove(link, "closed", stopping: false));
        Assert.Equal(0, _budget.InUse);
        Assert.True(roster.IsEmpty);
        Assert.Equal(0, roster.ConnectedCount);
    }

    [Fact]
    public void A_peer_not_written_to_for_90_seconds_gets_a_keep_alive()
    {
        var roster = Roster();
        var link = new RecordingLink(outgoing: false);
        roster.Admit(link, stopping: false);

        _time.Advance(TimeSpan.FromSeconds(60));
        roster.Tick(_time.GetTimestamp());
        Assert.Empty(link.Queued);

        _time.Advance(TimeSpan.FromSeconds(31));
        roster.Tick(_time.GetTimestamp());
        _outbox.FlushAll();
        Assert.Equal([PeerMessageType.KeepAlive], link.Types);
        Assert.Equal(1, link.Flushes);
    }

    [Fact]
    public void Idle_means_no_peer_has_anything_we_want_and_nothing_is_being_dialled()
    {
        var roster = Roster();
        var link = new RecordingLink(outgoing: false);
        var peer = roster.Admit(link, stopping: false)!;
        Assert.True(roster.IsIdle(fetchingMetadata: false));

        peer.Interesting = 1;
        Assert.False(roster.IsIdle(fetchingMetadata: false));

        peer.Interesting = 0;
        roster.Add(Peers(1));
        roster.DialMore();
        Assert.False(roster.IsIdle(fetchingMetadata: false));
    }

    [Fact]
    public void A_seed_met_while_we_seed_is_left_alone_for_half_an_hour_not_redialled_after_seconds()
    {
        var roster = Roster();
        roster.Add(Peers(1));
        roster.DialMore();
        var link = new RecordingLink(endPoint: _dialer.Dialled[0]);
        var peer = roster.Admit(link, stopping: false)!;
        peer.IsSeed = true;

        roster.Remove(link, "both sides have every piece", stopping: false, seeding: true);
        _time.Advance(TimeSpan.FromMinutes(29));
        roster.DialMore();
        Assert.Single(_dialer.Dialled);

        _time.Advance(TimeSpan.FromMinutes(2));
        roster.DialMore();
        Assert.Equal(2, _dialer.Dialled.Count);
    }

    [Fact]
    public void Uploads_count_those_of_connections_that_closed()
    {
        var roster = Roster();
        var gone = new RecordingLink(outgoing: false) { UploadedBytes = 100 };
        var here = new RecordingLink(outgoing: false) { UploadedBytes = 20 };
        roster.Admit(gone, stopping: false);
        roster.Admit(here, stopping: false);
        roster.Remove(gone, "closed", stopping: false);

        Assert.Equal(120, roster.CountUploaded());
    }
}
