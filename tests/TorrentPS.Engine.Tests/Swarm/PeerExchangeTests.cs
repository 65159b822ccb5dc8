using System.Net;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class PeerExchangeTests
{
    private const byte TheirPexId = 7;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(55));
    private readonly PeerExchange _pex;

    public PeerExchangeTests() => _pex = new PeerExchange(_time);

    private static IPEndPoint At(int host, int port = 6881) => new(new IPAddress([127, 0, 1, (byte)host]), port);

    private static ExtensionHandshake Handshake(bool pex = true, int? port = null, bool uploadOnly = false)
        => new(pex ? new Dictionary<string, byte> { [ExtensionHandshake.UtPex] = TheirPexId } : null, listenPort: port, uploadOnly: uploadOnly);

    /// <summary>A peer we dialled at 127.0.1.<paramref name="id"/>:6881 that speaks ut_pex.</summary>
    private void Dialled(int id, bool pex = true)
    {
        _pex.Connected(id, At(id), outgoing: true);
        _pex.ExtensionHandshakeReceived(id, Handshake(pex));
    }

    private List<PexOutgoing> Due()
    {
        var due = new List<PexOutgoing>();
        _pex.TakeDue(due);
        return due;
    }

    private UtPexMessage DueTo(int id) => UtPexMessage.Decode(Assert.Single(Due(), m => m.PeerId == id).Body);

    private static byte[] Message(IEnumerable<IPEndPoint> added, IEnumerable<IPEndPoint>? dropped = null)
        => new UtPexMessage(added.Select(e => new PexPeer(e, PexPeerFlags.None)).ToArray(), (dropped ?? []).ToArray()).ToArray();

    [Fact]
    public void The_first_message_lists_every_other_dialable_peer_and_never_the_peer_itself()
    {
        Dialled(1);
        Dialled(2);
        Dialled(3);

        var due = Due();

        Assert.Equal([1, 2, 3], due.Select(m => m.PeerId).Order());
        Assert.All(due, m => Assert.Equal(TheirPexId, m.ExtendedId));
        var toOne = UtPexMessage.Decode(due.Single(m => m.PeerId == 1).Body);
        Assert.Equal([At(2), At(3)], toOne.Added.Select(p => p.EndPoint).Order(EndPointOrder.Instance));
        Assert.Empty(toOne.Dropped);
    }

    [Fact]
    public void Peers_that_do_not_speak_ut_pex_get_no_message_but_are_listed_to_those_that_do()
    {
        Dialled(1);
        Dialled(2, pex: false);

        var due = Due();

        Assert.Equal(1, Assert.Single(due).PeerId);
        Assert.Equal(At(2), Assert.Single(UtPexMessage.Decode(due[0].Body).Added).EndPoint);
    }

    [Fact]
    public void A_peer_gets_at_most_one_message_a_minute_and_then_only_what_changed()
    {
        Dialled(1);
        Dialled(2);
        Assert.Equal(At(2), Assert.Single(DueTo(1).Added).EndPoint);

        Dialled(3);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.DoesNotContain(Due(), m => m.PeerId == 1);

        _time.Advance(TimeSpan.FromSeconds(1));
        var second = DueTo(1);
        Assert.Equal(At(3), Assert.Single(second.Added).EndPoint);
        Assert.Empty(second.Dropped);
    }

    [Fact]
    public void Nothing_is_sent_when_nothing_changed()
    {
        Dialled(1);
        Dialled(2);
        Assert.Equal(2, Due().Count);

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(Due());
    }

    [Fact]
    public void A_peer_alone_with_us_gets_no_empty_message()
    {
        Dialled(1);

        Assert.Empty(Due());
    }

    [Fact]
    public void A_closed_peer_is_listed_as_dropped_once()
    {
        Dialled(1);
        Dialled(2);
        Dialled(3);
        Due();

        _pex.Closed(3);
        _time.Advance(TimeSpan.FromMinutes(1));
        var toOne = DueTo(1);
        Assert.Equal([At(3)], toOne.Dropped);
        Assert.Empty(toOne.Added);

        Dialled(4);
        _time.Advance(TimeSpan.FromMinutes(1));
        var later = DueTo(1);
        Assert.Equal(At(4), Assert.Single(later.Added).EndPoint);
        Assert.Empty(later.Dropped);
    }

    [Fact]
    public void A_peer_that_leaves_and_returns_within_the_minute_is_neither_dropped_nor_added_again()
    {
        Dialled(1);
        Dialled(2);
        Due();

        _pex.Closed(2);
        Dialled(2);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.DoesNotContain(Due(), m => m.PeerId == 1);
    }

    [Fact]
    public void A_message_adds_at_most_50_peers_and_the_rest_follow_a_minute_later()
    {
        for (var id = 1; id <= 80; id++)
        {
            Dialled(id);
        }

        var first = DueTo(1);
        Assert.Equal(50, first.Added.Count);

        _time.Advance(TimeSpan.FromMinutes(1));
        var second = DueTo(1);
        Assert.Equal(29, second.Added.Count);
        Assert.Empty(first.Added.Select(p => p.EndPoint).Intersect(second.Added.Select(p => p.EndPoint)));
        Assert.DoesNotContain(first.Added.Concat(second.Added), p => p.EndPoint.Equals(At(1)));
    }

    [Fact]
    public void A_message_drops_at_most_50_peers_and_the_rest_follow_a_minute_later()
    {
        for (var id = 1; id <= 80; id++)
        {
            Dialled(id);
        }

        Due();
        _time.Advance(TimeSpan.FromMinutes(1));
        Due(); // the 29 peers the first message had no room for

        for (var id = 2; id <= 71; id++)
        {
            _pex.Closed(id);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(50, DueTo(1).Dropped.Count);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(20, DueTo(1).Dropped.Count);
    }

    [Fact]
    public void Flags_say_seed_and_reachable_as_we_know_them()
    {
        Dialled(1);
        Dialled(2);
        _pex.SeedChanged(2, true);
        _pex.Connected(3, At(3, 40000), outgoing: false);
        _pex.ExtensionHandshakeReceived(3, Handshake(port: 6881));

        var added = DueTo(1).Added.ToDictionary(p => p.EndPoint, p => p.Flags);

        Assert.Equal(PexPeerFlags.Seed | PexPeerFlags.Reachable, added[At(2)]);
        Assert.Equal(PexPeerFlags.None, added[At(3)]);
    }

    [Fact]
    public void An_upload_only_peer_is_listed_as_a_seed()
    {
        Dialled(1);
        _pex.Connected(2, At(2), outgoing: true);
        _pex.ExtensionHandshakeReceived(2, Handshake(uploadOnly: true));

        Assert.Equal(PexPeerFlags.Seed | PexPeerFlags.Reachable, Assert.Single(DueTo(1).Added).Flags);
    }

    [Fact]
    public void A_peer_that_dialled_us_is_listed_at_its_listen_port_and_only_once_it_said_it()
    {
        Dialled(1);
        _pex.Connected(2, At(2, 40000), outgoing: false);
        _pex.ExtensionHandshakeReceived(2, Handshake(port: null));
        Assert.DoesNotContain(Due(), m => m.PeerId == 1);
        _time.Advance(TimeSpan.FromMinutes(1));

        _pex.ExtensionHandshakeReceived(2, Handshake(port: 6999));

        Assert.Equal(At(2, 6999), Assert.Single(DueTo(1).Added).EndPoint);
    }

    [Fact]
    public void The_recipient_is_not_told_of_itself_at_its_listen_port()
    {
        Dialled(1);
        _pex.Connected(2, At(2, 40000), outgoing: false);
        _pex.ExtensionHandshakeReceived(2, Handshake(port: 6999));

        var toTwo = DueTo(2);

        Assert.Equal(At(1), Assert.Single(toTwo.Added).EndPoint);
    }

    [Fact]
    public void Our_own_address_is_never_sent()
    {
        Dialled(1);
        Dialled(2);
        _pex.AddOwnEndPoint(At(2));

        Assert.DoesNotContain(Due(), m => m.PeerId == 1);
    }

    [Fact]
    public void A_peer_that_turns_ut_pex_off_gets_no_more_messages()
    {
        Dialled(1);
        Dialled(2);
        Due();

        _pex.ExtensionHandshakeReceived(1, Handshake(pex: false));
        Dialled(3);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.DoesNotContain(Due(), m => m.PeerId == 1);
    }

    [Fact]
    public void Received_peers_become_candidates_with_their_flags()
    {
        Dialled(1);
        var candidates = new List<PexPeer>();
        var body = new UtPexMessage([new PexPeer(At(10), PexPeerFlags.Seed), new PexPeer(IPEndPoint.Parse("[::1]:7000"), PexPeerFlags.None)], []).ToArray();

        var intake = _pex.Receive(1, body, candidates);

        Assert.Equal((PexVerdict.Accepted, 2), (intake.Verdict, intake.Taken));
        Assert.False(intake.ShouldDisconnect);
        Assert.Equal([new PexPeer(At(10), PexPeerFlags.Seed), new PexPeer(IPEndPoint.Parse("[::1]:7000"), PexPeerFlags.None)], candidates);
    }

    [Fact]
    public void Candidates_are_reported_once_whichever_peer_sends_them()
    {
        Dialled(1);
        Dialled(2);
        var candidates = new List<PexPeer>();

        _pex.Receive(1, Message([At(10), At(11), At(10)]), candidates);
        _time.Advance(TimeSpan.FromMinutes(1));
        _pex.Receive(1, Message([At(10), At(12)]), candidates);
        _pex.Receive(2, Message([At(11), At(12), At(13)]), candidates);

        Assert.Equal([At(10), At(11), At(12), At(13)], candidates.Select(c => c.EndPoint));
    }

    [Fact]
    public void Our_own_address_the_sender_and_connected_peers_are_not_taken()
    {
        Dialled(1);
        Dialled(2);
        _pex.Connected(3, At(3, 40000), outgoing: false);
        _pex.AddOwnEndPoint(At(99));
        var candidates = new List<PexPeer>();

        _pex.Receive(1, Message([At(99), At(1), At(2), At(3, 40000), At(20)]), candidates);

        Assert.Equal([At(20)], candidates.Select(c => c.EndPoint));
    }

    [Fact]
    public void Addresses_nobody_can_dial_are_not_taken()
    {
        Dialled(1);
        var candidates = new List<PexPeer>();
        IPEndPoint[] useless =
        [
            new(IPAddress.Parse("0.0.0.0"), 6881), new(IPAddress.Parse("224.0.0.1"), 6881), new(IPAddress.Broadcast, 6881),
            new(IPAddress.Parse("240.0.0.1"), 6881), new(IPAddress.IPv6Any, 6881), new(IPAddress.Parse("ff02::1"), 6881),
        ];
        _pex.Receive(1, Message(useless.Append(At(30))), candidates);
        _time.Advance(TimeSpan.FromMinutes(1));
        _pex.Receive(1, System.Text.Encoding.Latin1.GetBytes("d5:added6:\u007f\0\u0001\u001f\0\0e"), candidates);

        Assert.Equal([At(30)], candidates.Select(c => c.EndPoint));
    }

    [Fact]
    public void Local_addresses_are_taken_only_from_a_local_peer()
    {
        var remote = new PeerExchange(_time);
        remote.Connected(1, IPEndPoint.Parse("198.51.100.7:6881"), outgoing: true);
        var candidates = new List<PexPeer>();
        IPEndPoint[] offered =
        [
            IPEndPoint.Parse("127.0.0.1:22"), IPEndPoint.Parse("10.1.2.3:6881"), IPEndPoint.Parse("192.168.1.1:80"),
            IPEndPoint.Parse("172.20.0.1:6881"), IPEndPoint.Parse("169.254.1.1:6881"), IPEndPoint.Parse("[::1]:6881"),
            IPEndPoint.Parse("[fe80::1]:6881"), IPEndPoint.Parse("[fd00::5]:6881"), IPEndPoint.Parse("203.0.113.9:6881"),
        ];

        remote.Receive(1, Message(offered), candidates);

        Assert.Equal([IPEndPoint.Parse("203.0.113.9:6881")], candidates.Select(c => c.EndPoint));
    }

    [Fact]
    public void One_message_gives_at_most_100_candidates()
    {
        Dialled(1);
        var candidates = new List<PexPeer>();

        var intake = _pex.Receive(1, Message(Enumerable.Range(0, 200).Select(i => new IPEndPoint(new IPAddress([127, 2, (byte)(i >> 8), (byte)i]), 6881))), candidates);

        Assert.Equal(100, intake.Taken);
        Assert.Equal(100, candidates.Count);
    }

    [Fact]
    public void One_peer_gives_at_most_its_budget_of_200_which_refills_at_50_a_minute()
    {
        Dialled(1);
        var candidates = new List<PexPeer>();
        var taken = new List<int>();
        for (var minute = 0; minute < 6; minute++)
        {
            var fresh = Enumerable.Range(minute * 100, 100).Select(i => new IPEndPoint(new IPAddress([127, 3, (byte)(i >> 8), (byte)i]), 6881));
            taken.Add(_pex.Receive(1, Message(fresh), candidates).Taken);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        // 200 at first, then 50 a minute however much it sends: 200 + 5 × 50 in six minutes.
        Assert.Equal([100, 100, 100, 50, 50, 50], taken);
        Assert.Equal(450, candidates.Count);
    }

    [Fact]
    public void A_peer_sending_more_than_four_messages_a_minute_is_flooding()
    {
        Dialled(1);
        var candidates = new List<PexPeer>();
        var body = Message([At(40)]);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(PexVerdict.Accepted, _pex.Receive(1, body, candidates).Verdict);
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        var fifth = _pex.Receive(1, body, candidates);

        Assert.Equal(PexVerdict.Flooding, fifth.Verdict);
        Assert.True(fifth.ShouldDisconnect);
        Assert.Contains("ut_pex messages", fifth.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_sending_once_a_minute_or_a_few_back_to_back_is_not_flooding()
    {
        Dialled(1);
        var candidates = new List<PexPeer>();
        var body = Message([At(41)]);

        // A stalled connection delivers a few at once; then one a minute for an hour.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(PexVerdict.Accepted, _pex.Receive(1, body, candidates).Verdict);
        }

        for (var i = 0; i < 60; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(60));
            Assert.Equal(PexVerdict.Accepted, _pex.Receive(1, body, candidates).Verdict);
        }
    }

    [Fact]
    public void A_malformed_message_is_reported_with_the_reason()
    {
        Dialled(1);

        var intake = _pex.Receive(1, "d5:added5:abcdee"u8.ToArray(), []);

        Assert.Equal(PexVerdict.Malformed, intake.Verdict);
        Assert.True(intake.ShouldDisconnect);
        Assert.Contains("not a multiple of 6", intake.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_from_a_closed_connection_is_ignored()
    {
        Dialled(1);
        _pex.Closed(1);
        var candidates = new List<PexPeer>();

        var intake = _pex.Receive(1, Message([At(50)]), candidates);

        Assert.Equal(PexVerdict.UnknownPeer, intake.Verdict);
        Assert.False(intake.ShouldDisconnect);
        Assert.Empty(candidates);
    }

    [Fact]
    public void What_we_send_decodes_as_a_valid_message_for_IPv6_peers_too()
    {
        Dialled(1);
        _pex.Connected(2, IPEndPoint.Parse("[::1]:7001"), outgoing: true);
        _pex.Connected(3, IPEndPoint.Parse("[::ffff:127.0.1.3]:7002"), outgoing: true);

        var added = DueTo(1).Added.Select(p => p.EndPoint).ToList();

        Assert.Contains(IPEndPoint.Parse("[::1]:7001"), added);
        Assert.Contains(IPEndPoint.Parse("127.0.1.3:7002"), added);
    }

    private sealed class EndPointOrder : IComparer<IPEndPoint>
    {
        public static EndPointOrder Instance { get; } = new();

        public int Compare(IPEndPoint? x, IPEndPoint? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}
