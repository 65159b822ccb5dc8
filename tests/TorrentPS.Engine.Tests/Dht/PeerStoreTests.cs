using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Dht;

namespace TorrentPS.Engine.Tests.Dht;

public sealed class PeerStoreTests
{
    private static readonly NodeId Torrent = NodeId.Parse("1111111111111111111111111111111111111111");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Announced_peers_are_returned_until_they_expire_after_30_minutes()
    {
        var store = Store();
        store.Add(Torrent, Peer(1));
        _clock.Advance(TimeSpan.FromMinutes(20));
        store.Add(Torrent, Peer(2));

        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal([Peer(2)], store.Get(Torrent, 10, AddressFamily.InterNetwork));
        store.Expire();
        Assert.Equal(1, store.PeerCount);
        _clock.Advance(TimeSpan.FromMinutes(20));
        store.Expire();
        Assert.Equal(0, store.PeerCount);
        Assert.Equal(0, store.TorrentCount);
    }

    [Fact]
    public void Announcing_again_keeps_a_peer_for_another_30_minutes()
    {
        var store = Store();
        store.Add(Torrent, Peer(1));
        _clock.Advance(TimeSpan.FromMinutes(25));
        store.Add(Torrent, Peer(1));

        _clock.Advance(TimeSpan.FromMinutes(25));

        Assert.Equal([Peer(1)], store.Get(Torrent, 10, AddressFamily.InterNetwork));
        Assert.Equal(1, store.PeerCount);
    }

    [Fact]
    public void A_full_torrent_replaces_its_oldest_peer()
    {
        var store = Store(perTorrent: 5);
        for (var i = 1; i <= 5; i++)
        {
            store.Add(Torrent, Peer(i));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(store.Add(Torrent, Peer(6)));

        var peers = store.Get(Torrent, 100, AddressFamily.InterNetwork);
        Assert.Equal(5, peers.Count);
        Assert.DoesNotContain(Peer(1), peers);
        Assert.Contains(Peer(6), peers);
        Assert.Equal(5, store.PeerCount);
    }

    [Fact]
    public void Torrents_beyond_the_bound_are_refused_until_one_expires()
    {
        var store = Store(torrents: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(store.Add(TorrentNumber(i), Peer(i)));
        }

        Assert.False(store.Add(TorrentNumber(3), Peer(3)));
        Assert.Equal(3, store.TorrentCount);

        _clock.Advance(TimeSpan.FromMinutes(31));
        Assert.True(store.Add(TorrentNumber(3), Peer(3)));
        Assert.Equal(1, store.TorrentCount);
    }

    [Fact]
    public void A_flood_of_announces_stays_within_every_bound()
    {
        var store = Store(perTorrent: 50, torrents: 100, total: 1000);

        for (var i = 0; i < 100_000; i++)
        {
            store.Add(TorrentNumber(i % 500), Peer(i));
        }

        Assert.InRange(store.PeerCount, 1, 1000);
        Assert.InRange(store.TorrentCount, 1, 100);
        Assert.All(Enumerable.Range(0, 500), i => Assert.InRange(store.Get(TorrentNumber(i), 1000, AddressFamily.InterNetwork).Count, 0, 50));
    }

    [Fact]
    public void At_most_the_asked_number_of_peers_of_the_asked_family_is_returned()
    {
        var store = Store();
        for (var i = 0; i < 150; i++)
        {
            store.Add(Torrent, Peer(i));
        }

        store.Add(Torrent, IPEndPoint.Parse("[::1]:7"));

        var peers = store.Get(Torrent, 100, AddressFamily.InterNetwork);
        Assert.Equal(100, peers.Count);
        Assert.Equal(100, peers.Distinct().Count());
        Assert.All(peers, p => Assert.Equal(AddressFamily.InterNetwork, p.AddressFamily));
        Assert.Equal([IPEndPoint.Parse("[::1]:7")], store.Get(Torrent, 100, AddressFamily.InterNetworkV6));
    }

    private PeerStore Store(int perTorrent = 200, int torrents = 100, int total = 10_000)
        => new(_clock, perTorrent, torrents, total, TimeSpan.FromMinutes(30));

    private static IPEndPoint Peer(int n) => new(new IPAddress([127, 2, (byte)(n / 250 % 250), (byte)((n % 250) + 2)]), 1000 + (n / 62500));

    private static NodeId TorrentNumber(int n) => NodeId.Parse($"{n:x40}");
}
