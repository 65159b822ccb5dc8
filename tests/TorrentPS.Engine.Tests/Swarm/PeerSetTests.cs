using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class PeerSetTests
{
    private static IPEndPoint Ep(int n) => new(IPAddress.Parse($"127.0.0.{n}"), 6881);

    [Fact]
    public void An_address_is_known_once_even_as_an_IPv4_mapped_IPv6_address()
    {
        var set = new PeerSet(1);
        set.Add(Ep(2), PeerSource.Tracker);
        set.Add(new IPEndPoint(IPAddress.Parse("127.0.0.2").MapToIPv6(), 6881), PeerSource.Manual);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Failed_dials_back_off_exponentially_and_fewest_failures_are_dialled_first()
    {
        var set = new PeerSet(1) { RetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(40) };
        var a = set.Add(Ep(2), PeerSource.Tracker)!;
        var b = set.Add(Ep(3), PeerSource.Tracker)!;
        a.State = PeerCandidateState.Connecting;
        set.Failed(a, 100, "refused");
        Assert.Equal(105, a.RetryAt);
        set.Failed(a, 105, "refused");
        Assert.Equal(115, a.RetryAt);
        for (var i = 0; i < 10; i++)
        {
            set.Failed(a, 200, "refused");
        }

        Assert.Equal(240, a.RetryAt);
        Assert.Equal([b], set.ToDial(200, 10));
        Assert.Equal([b, a], set.ToDial(240, 10));
    }

    [Fact]
    public void A_banned_address_is_never_dialled_again()
    {
        var set = new PeerSet(1);
        var a = set.Add(Ep(2), PeerSource.Tracker)!;
        set.Ban(a, "bad data");
        set.Failed(a, 0, "later failure");
        Assert.Empty(set.ToDial(long.MaxValue, 10));
        Assert.True(set.IsBanned(Ep(2)));
    }

    [Fact]
    public void The_set_is_bounded()
    {
        var set = new PeerSet(1, maxKnown: 2);
        set.Add(Ep(2), PeerSource.Tracker);
        set.Add(Ep(3), PeerSource.Tracker);
        Assert.Null(set.Add(Ep(4), PeerSource.Tracker));
        Assert.Equal(2, set.Count);
    }

    private static IPEndPoint Junk(int i) => new(new IPAddress([127, (byte)(10 + (i / 65536)), (byte)(i / 256 % 256), (byte)(i % 256)]), 1);

    [Fact]
    public void A_flood_of_addresses_stays_bounded_and_the_one_named_last_is_dialled_once_the_others_fail()
    {
        // A tracker names 100,000 dead peers and the one seeder last (issue 19, 2).
        var set = new PeerSet(1, maxKnown: 2000, maxWaiting: 10_000, random: new Random(19));
        var seeder = new IPEndPoint(IPAddress.Parse("127.0.0.9"), 6881);
        for (var i = 0; i < 100_000; i++)
        {
            set.Add(Junk(i), PeerSource.Tracker);
        }

        set.Add(seeder, PeerSource.Tracker);
        var dials = 0;
        while (true)
        {
            Assert.InRange(set.Count, 0, 2000);
            Assert.InRange(set.Waiting, 0, 10_000);
            var batch = set.ToDial(0, 32);
            Assert.NotEmpty(batch);
            if (batch.Any(c => c.EndPoint.Equals(seeder)))
            {
                break;
            }

            foreach (var candidate in batch)
            {
                candidate.State = PeerCandidateState.Connecting;
                set.Failed(candidate, 0, "refused");
                dials++;
            }
        }

        Assert.InRange(dials, 0, 12_000);
    }

    [Fact]
    public void Addresses_that_failed_and_gave_their_place_away_are_not_taken_back_from_the_next_announce()
    {
        var set = new PeerSet(1, maxKnown: 2, maxWaiting: 2, random: new Random(1)) { PrunedFor = TimeSpan.FromSeconds(100) };
        foreach (var n in new[] { 2, 3, 4, 5 })
        {
            set.Add(Ep(n), PeerSource.Tracker);
        }

        Assert.Equal((2, 2), (set.Count, set.Waiting));
        foreach (var candidate in set.ToDial(0, 10))
        {
            candidate.State = PeerCandidateState.Connecting;
            set.Failed(candidate, 0, "refused");
        }

        Assert.Equal([Ep(4), Ep(5)], set.All.Select(c => c.EndPoint).Order(Comparer<IPEndPoint>.Create((a, b) => a.ToString().CompareTo(b.ToString()))));
        Assert.Null(set.Add(Ep(2), PeerSource.Tracker, now: 50));
        Assert.Equal(0, set.Waiting);

        Assert.Null(set.Add(Ep(2), PeerSource.Tracker, now: 101));
        Assert.Equal(1, set.Waiting);

        // An address the user gives is not refused for having failed: it waits for a place.
        Assert.Null(set.Add(Ep(3), PeerSource.Manual, now: 50));
        Assert.Equal(2, set.Waiting);
    }

    [Fact]
    public void A_source_flooding_the_set_does_not_keep_another_sources_addresses_from_being_tried()
    {
        var set = new PeerSet(1, maxKnown: 10, maxWaiting: 100, random: new Random(2));
        for (var i = 0; i < 200; i++)
        {
            set.Add(Junk(i), PeerSource.Tracker);
        }

        var fromPex = new[] { Ep(2), Ep(3) };
        foreach (var endPoint in fromPex)
        {
            set.Add(endPoint, PeerSource.Pex);
        }

        var dialled = new List<IPEndPoint>();
        for (var round = 0; round < 10 && !fromPex.All(dialled.Contains); round++)
        {
            foreach (var candidate in set.ToDial(0, 2))
            {
                dialled.Add(candidate.EndPoint);
                candidate.State = PeerCandidateState.Connecting;
                set.Failed(candidate, 0, "refused");
            }
        }

        Assert.All(fromPex, e => Assert.Contains(e, dialled));
        Assert.InRange(dialled.Count, 0, 14);
    }

    [Fact]
    public void A_misbehaving_peer_waits_a_minute_then_two_and_is_banned_at_its_third_offence()
    {
        var set = new PeerSet(1);
        var peer = set.Add(Ep(2), PeerSource.Tracker)!;
        Assert.False(set.Misbehaved(peer, 0, "junk"));
        Assert.Equal(60, peer.RetryAt);
        Assert.False(set.Misbehaved(peer, 60, "junk"));
        Assert.Equal(180, peer.RetryAt);
        Assert.True(set.Misbehaved(peer, 180, "junk"));
        Assert.True(set.IsBanned(Ep(2)));
        Assert.Null(set.Add(Ep(2), PeerSource.Manual));
    }

    [Fact]
    public void A_banned_candidate_gives_its_place_to_a_waiting_address()
    {
        var set = new PeerSet(1, maxKnown: 1);
        var banned = set.Add(Ep(2), PeerSource.Tracker)!;
        Assert.Null(set.Add(Ep(3), PeerSource.Tracker));

        set.Ban(banned, "bad data");

        Assert.Equal(Ep(3), Assert.Single(set.All).EndPoint);
        Assert.Equal(0, set.Waiting);
    }
}
