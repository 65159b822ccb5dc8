using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>
/// The roster against hostile peers (issue 19): a peer is its address, not the id it claims; idle connections give way
/// to new ones and do not stay for ever; silent dials are given up sooner while nobody delivers; peers closed for
/// misbehaving are not let back at once. A fake clock, no sockets.
/// </summary>
public sealed class PeerRosterHostileTests
{
    private static readonly InfoHash Hash = InfoHash.Parse(new string('c', 40));
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingDialer _dialer = new();
    private readonly PeerOutbox _outbox = new();
    private readonly TestLoggerFactory _log = new();
    private readonly PeerId _self = PeerId.Generate();
    private CountingBudget _budget = new();

    private PeerRoster Roster(int maxConnections = 50, int maxHalfOpen = 8, int budget = 1000, Func<RosterSettings, RosterSettings>? configure = null)
    {
        _budget = new CountingBudget(budget);
        var settings = new RosterSettings(maxConnections, maxHalfOpen, _self, _ => false);
        return new PeerRoster(configure?.Invoke(settings) ?? settings, _dialer, _budget, _outbox, _ => { }, _time, _log, "t");
    }

    private static IPEndPoint At(int host, int port = 7000) => new(new IPAddress([127, 0, 6, (byte)host]), port);

    private static TorrentPeer[] Peers(int count, int first = 1)
        => Enumerable.Range(first, count).Select(i => new TorrentPeer(new IPAddress([127, 0, 7, (byte)(i % 250)]), 7000 + i, Hash, PeerSource.Tracker)).ToArray();

    /// <summary>Dials <paramref name="endPoint"/> through the roster and returns the connection that answered.</summary>
    private static RecordingLink Dialled(PeerRoster roster, IPEndPoint endPoint, PeerId? peerId = null)
    {
        roster.Add(endPoint, PeerSource.Manual);
        roster.DialMore();
        return new RecordingLink(outgoing: true, endPoint: endPoint, peerId: peerId);
    }

    private long Now => _time.GetTimestamp();

    private void Tick(PeerRoster roster, TimeSpan span)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += TimeSpan.FromSeconds(1))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            roster.Tick(Now);
        }
    }

    [Fact]
    public void A_liar_copying_an_honest_peers_id_gets_only_itself_banned()
    {
        var roster = Roster();
        var honestId = PeerId.Generate();
        var honest = roster.Admit(Dialled(roster, At(1), honestId), stopping: false)!;
        var liarLink = Dialled(roster, At(2), honestId);
        var liar = roster.Admit(liarLink, stopping: false);
        Assert.NotNull(liar);
        Assert.Contains(_log.Messages, m => m.Contains("claims the peer id of", StringComparison.Ordinal) && m.Contains(At(2).ToString(), StringComparison.Ordinal));

        roster.Ban(liar, "sent data that failed the hash check");
        roster.Remove(liarLink, "banned", stopping: false);

        Assert.Null(((RecordingLink)honest.Link).ClosedFor);
        Assert.True(roster.TryGet(honest.Id, out _));

        // The honest seeder reconnects (same id, its own address): let in. The liar's address stays banned.
        roster.Remove(honest.Link, "closed", stopping: false);
        _time.Advance(TimeSpan.FromSeconds(6));
        roster.DialMore();
        Assert.NotNull(roster.Admit(new RecordingLink(outgoing: true, endPoint: At(1), peerId: honestId), stopping: false));
        Assert.True(roster.Candidates.IsBanned(At(2)));
        Assert.DoesNotContain(At(2), _dialer.Dialled.Skip(2));
    }

    [Fact]
    public void An_impostor_holding_a_copied_id_does_not_lock_the_real_peer_out()
    {
        var roster = Roster();
        var id = PeerId.Generate();
        Assert.NotNull(roster.Admit(new RecordingLink(outgoing: false, endPoint: At(3, 51000), peerId: id), stopping: false));

        var real = Dialled(roster, At(4), id);
        Assert.NotNull(roster.Admit(real, stopping: false));
        Assert.Null(real.ClosedFor);
        Assert.Equal(2, roster.ConnectedCount);
    }

    [Fact]
    public void A_peer_that_dialled_us_is_known_by_its_listen_port_once_it_tells_it()
    {
        var roster = Roster();
        var incoming = new RecordingLink(outgoing: false, endPoint: At(5, 52000));
        var peer = roster.Admit(incoming, stopping: false)!;
        peer.Extensions = ExtensionHandshake.Decode(Encoding.ASCII.GetBytes("d1:md11:ut_metadatai3ee1:pi7005ee"));

        roster.OnExtensionHandshake(peer);

        // Its listen address is known and connected: not dialled, and a dial that raced it is a duplicate.
        roster.Add([new TorrentPeer(At(5, 7005).Address, 7005, Hash, PeerSource.Tracker)]);
        roster.DialMore();
        Assert.Empty(_dialer.Dialled);
        var raced = new RecordingLink(outgoing: false, endPoint: At(5, 7005));
        Assert.Null(roster.Admit(raced, stopping: false));

        // Banned by that address: a later connection from another port that names it is closed.
        roster.Ban(peer, "bad data");
        roster.Remove(incoming, "banned", stopping: false);
        var back = new RecordingLink(outgoing: false, endPoint: At(5, 53000));
        var again = roster.Admit(back, stopping: false)!;
        again.Extensions = peer.Extensions;
        roster.OnExtensionHandshake(again);
        Assert.Equal("it is banned for sending bad data", back.ClosedFor);
    }

    [Fact]
    public void When_the_slots_are_full_an_idle_peer_past_its_trial_gives_way_to_a_new_one()
    {
        var roster = Roster(maxConnections: 3);
        var idle = Enumerable.Range(10, 3).Select(i => new RecordingLink(outgoing: false, endPoint: At(i, 50000))).ToList();
        var peers = idle.Select(l => roster.Admit(l, stopping: false)!).ToList();
        Tick(roster, TimeSpan.FromSeconds(1));
        peers[0].PeerInterested = true; // said it wants our pieces: waiting for a slot
        peers[0].LastActivityAt = Now;
        peers[2].LastActivityAt = Now; // said something (not interested)

        var early = new RecordingLink(outgoing: false, endPoint: At(20, 50000));
        Assert.Null(roster.Admit(early, stopping: false));
        Assert.Equal("the torrent's connection limit is reached", early.ClosedFor);

        // Past 2 s, the one that said nothing at all since its handshake is the first to go.
        Tick(roster, TimeSpan.FromSeconds(2));
        var newcomer = new RecordingLink(outgoing: false, endPoint: At(21, 50000));
        var talker = roster.Admit(newcomer, stopping: false);
        Assert.NotNull(talker);
        Assert.StartsWith("made room for a new peer", idle[1].ClosedFor);
        Assert.Null(idle[0].ClosedFor);
        Assert.Null(idle[2].ClosedFor);

        // Until the closed one is gone it does not count; then the slots are as before.
        Assert.Equal(4, _budget.InUse);
        roster.Remove(idle[1], idle[1].ClosedFor!, stopping: false);
        Assert.Equal(3, _budget.InUse);
        Assert.Equal(3, roster.ConnectedCount);

        // One that talked keeps its slot through its 10 s trial, then gives way; the interested one does not.
        var second = new RecordingLink(outgoing: false, endPoint: At(22, 50000));
        Assert.Null(roster.Admit(second, stopping: false));
        Tick(roster, TimeSpan.FromSeconds(8));
        talker.LastActivityAt = Now;
        var third = new RecordingLink(outgoing: false, endPoint: At(23, 50000));
        Assert.NotNull(roster.Admit(third, stopping: false));
        Assert.StartsWith("made room for a new peer", idle[2].ClosedFor);
        Assert.Null(idle[0].ClosedFor);
    }

    [Fact]
    public void Peers_of_use_never_give_way()
    {
        var roster = Roster(maxConnections: 3);
        var links = Enumerable.Range(30, 3).Select(i => new RecordingLink(outgoing: false, endPoint: At(i, 50000))).ToList();
        var peers = links.Select(l => roster.Admit(l, stopping: false)!).ToList();
        peers[0].Interesting = 5;          // has pieces we want
        peers[1].PeerInterested = true;    // waiting for an upload slot, talking now and then
        for (var second = 0; second < 30; second++)
        {
            links[2].UploadedBytes += 16384; // being served
            peers[1].LastActivityAt = Now;
            Tick(roster, TimeSpan.FromSeconds(1));
        }

        var newcomer = new RecordingLink(outgoing: false, endPoint: At(40, 50000));
        Assert.Null(roster.Admit(newcomer, stopping: false));
        Assert.All(links, l => Assert.Null(l.ClosedFor));
    }

    [Fact]
    public void A_full_session_lets_a_new_peer_take_the_slot_of_an_idle_connection()
    {
        var roster = Roster(budget: 2);
        var idle = new[] { new RecordingLink(outgoing: false, endPoint: At(50, 50000)), new RecordingLink(outgoing: false, endPoint: At(51, 50000)) };
        foreach (var link in idle)
        {
            roster.Admit(link, stopping: false);
        }

        Tick(roster, TimeSpan.FromSeconds(11));
        var newcomer = new RecordingLink(outgoing: false, endPoint: At(52, 50000));
        Assert.NotNull(roster.Admit(newcomer, stopping: false));
        var gone = idle.Single(l => l.ClosedFor is not null);
        roster.Remove(gone, gone.ClosedFor!, stopping: false);
        Assert.Equal(2, _budget.InUse);
    }

    [Fact]
    public void A_connection_of_no_use_to_either_side_is_closed_after_the_idle_timeout_and_keep_alives_do_not_keep_it()
    {
        var roster = Roster();
        var idle = new RecordingLink(outgoing: false, endPoint: At(60, 50000));
        var wanted = new RecordingLink(outgoing: false, endPoint: At(61, 50000));
        var unused = new RecordingLink(outgoing: false, endPoint: At(62, 50000));
        roster.Admit(idle, stopping: false);
        roster.Admit(wanted, stopping: false)!.Interesting = 3;
        var holder = roster.Admit(unused, stopping: false)!;
        holder.PeerInterested = true;
        holder.AmChoking = false; // unchoked, and takes nothing

        Tick(roster, TimeSpan.FromSeconds(119));
        Assert.Null(idle.ClosedFor);
        Assert.Contains(PeerMessageType.KeepAlive, idle.Types);

        Tick(roster, TimeSpan.FromSeconds(2));
        Assert.StartsWith("idle: no use to either side", idle.ClosedFor);
        Assert.StartsWith("idle: no use to either side", unused.ClosedFor);
        Assert.Null(wanted.ClosedFor);
    }

    [Fact]
    public void While_no_peer_delivers_more_dials_run_at_once_and_a_first_dial_gives_up_on_silence_sooner()
    {
        var roster = Roster(maxConnections: 40, maxHalfOpen: 8, configure: s => s with { HurriedHalfOpen = 32 });
        roster.Add(Peers(32));

        roster.DialMore();
        Assert.Equal(32, _dialer.Dialled.Count);
        Assert.All(_dialer.Timeouts, t => Assert.Equal(TimeSpan.FromSeconds(3), t));

        // A retry waits the full time even while hurried.
        var first = _dialer.Dialled[0];
        roster.ConnectFailed(first, "timed out");
        _time.Advance(TimeSpan.FromSeconds(6));
        roster.DialMore();
        Assert.Equal(33, _dialer.Dialled.Count);
        Assert.Equal(first, _dialer.Dialled[^1]);
        Assert.Null(_dialer.Timeouts[^1]);

        // Once a peer delivers: the usual bound, the usual time-outs.
        var delivering = new RecordingLink(outgoing: false, endPoint: At(70, 50000)) { DownloadedBytes = 16384 };
        roster.Admit(delivering, stopping: false);
        foreach (var endPoint in _dialer.Dialled.Skip(1).ToList())
        {
            roster.ConnectFailed(endPoint, "refused");
        }

        Assert.Equal(0, roster.Connecting);
        roster.Add(Peers(20, first: 101));
        roster.DialMore();
        Assert.Equal(33 + 8, _dialer.Dialled.Count);
        Assert.All(_dialer.Timeouts.Skip(33), t => Assert.Null(t));
    }

    [Fact]
    public void A_peer_closed_for_junk_is_not_dialled_again_for_a_minute_and_its_third_offence_bans_it()
    {
        var roster = Roster();
        var junk = At(80);
        for (var offence = 1; offence <= 3; offence++)
        {
            var link = Dialled(roster, junk);
            var peer = roster.Admit(link, stopping: false)!;
            link.DownloadedBytes = 300 * 16384;
            peer.UnexpectedBlocks = RequestScheduler.MaxUnexpectedBlocks + 1;
            roster.Remove(link, "sent over 256 blocks nobody asked for", stopping: false);

            var dials = _dialer.Dialled.Count;
            _time.Advance(TimeSpan.FromSeconds(30 * Math.Pow(2, offence - 1)));
            roster.DialMore();
            Assert.Equal(dials, _dialer.Dialled.Count);
            _time.Advance(TimeSpan.FromSeconds((30 * Math.Pow(2, offence - 1)) + 1));
            roster.DialMore();
            Assert.Equal(offence < 3 ? dials + 1 : dials, _dialer.Dialled.Count);
            if (offence < 3)
            {
                roster.ConnectFailed(junk, "test");
                _time.Advance(TimeSpan.FromSeconds(6));
            }
        }

        Assert.True(roster.Candidates.IsBanned(junk));
        Assert.Contains(_log.Messages, m => m.Contains("banning peer", StringComparison.Ordinal) && m.Contains("misbehaved again", StringComparison.Ordinal));
    }

    [Fact]
    public void A_peer_that_dialled_us_and_was_dropped_for_misbehaving_is_refused_until_its_back_off_ends()
    {
        var roster = Roster();
        var id = PeerId.Generate();
        var link = new RecordingLink(outgoing: false, endPoint: At(90, 50000), peerId: id);
        var peer = roster.Admit(link, stopping: false)!;

        roster.Drop(peer, "sent over 16 ut_metadata messages nobody asked for");
        Assert.Equal("sent over 16 ut_metadata messages nobody asked for", link.ClosedFor);
        roster.Remove(link, link.ClosedFor!, stopping: false);

        var back = new RecordingLink(outgoing: false, endPoint: At(90, 50001), peerId: id);
        Assert.Null(roster.Admit(back, stopping: false));
        Assert.StartsWith("it misbehaved 1 time(s)", back.ClosedFor);
        var other = new RecordingLink(outgoing: false, endPoint: At(90, 50002));
        Assert.NotNull(roster.Admit(other, stopping: false));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.NotNull(roster.Admit(new RecordingLink(outgoing: false, endPoint: At(90, 50003), peerId: id), stopping: false));
    }
}
