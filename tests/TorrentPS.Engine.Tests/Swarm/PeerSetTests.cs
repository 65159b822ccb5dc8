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
}
