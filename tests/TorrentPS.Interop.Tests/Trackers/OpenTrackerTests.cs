using System.Net;
using System.Security.Cryptography;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Trackers;

/// <summary>Our HTTP and UDP tracker clients against a real opentracker on loopback.</summary>
public class OpenTrackerTests
{
    private static InfoHash NewInfoHash() => new(RandomNumberGenerator.GetBytes(20));

    /// <summary>One simulated client: its own 127.0.0.x and port, announcing with our engine.</summary>
    private sealed record Client(IPAddress Address, int Port, PeerId PeerId)
    {
        public static Client Next() => new(Loopback.NextAddress(), 40000 + RandomNumberGenerator.GetInt32(20000), PeerId.Generate());

        public IPEndPoint EndPoint => new(Address, Port);

        public TrackerOptions Options => new() { Timeout = TimeSpan.FromSeconds(10), UdpRetransmitBase = TimeSpan.FromSeconds(1), LocalAddress = Address };

        public AnnounceRequest Request(InfoHash hash, long left, TrackerEvent trackerEvent = TrackerEvent.Started) => new()
        {
            InfoHash = hash,
            PeerId = PeerId,
            Port = Port,
            Left = left,
            Event = trackerEvent,
            Key = 1,
        };

        public ITrackerClient For(string url) => TrackerClientFactory.Create(url, Options);

        public TrackerDiscoveryOptions Discovery => new() { PeerId = PeerId, Port = Port, Key = 2, Tracker = Options };
    }

    private static async Task<List<TorrentPeer>> DiscoverAsync(PeerDiscoveryTarget target, TrackerDiscoveryOptions options)
    {
        var peers = new List<TorrentPeer>();
        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(target, options))
        {
            Assert.True(found.Kind != TrackerDiscoveryEventKind.Failed, found.ToString());
            if (found.Kind == TrackerDiscoveryEventKind.Peer)
            {
                peers.Add(found.Peer!);
            }
        }

        return peers;
    }

    [Theory]
    [InlineData("http")]
    [InlineData("udp")]
    public async Task Peers_announced_by_one_client_show_up_for_another(string scheme)
    {
        var hash = NewInfoHash();
        await using var tracker = await OpenTracker.StartAsync([hash.Hex]);
        var url = scheme == "http" ? tracker.HttpAnnounceUrl : tracker.UdpAnnounceUrl;
        var seeder = Client.Next();
        var leecher = Client.Next();

        using (var client = seeder.For(url))
        {
            var first = await client.AnnounceAsync(seeder.Request(hash, left: 0), CancellationToken.None);
            Assert.DoesNotContain(first.Peers, p => !p.Equals(seeder.EndPoint));
        }

        var target = new PeerDiscoveryTarget { InfoHash = hash, TrackerTiers = [[url]], Left = 1000 };
        var peers = await DiscoverAsync(target, leecher.Discovery);

        // opentracker lists the announcing peer too; discovery leaves our own endpoint out.
        var peer = Assert.Single(peers);
        Assert.Equal(seeder.EndPoint, peer.IPEndPoint);
        Assert.Equal((PeerSource.Tracker, url, hash), (peer.Source, peer.Tracker, peer.Hash));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("udp")]
    public async Task Scrape_counts_seeders_leechers_and_completed_downloads(string scheme)
    {
        var hash = NewInfoHash();
        await using var tracker = await OpenTracker.StartAsync([hash.Hex]);
        var url = scheme == "http" ? tracker.HttpAnnounceUrl : tracker.UdpAnnounceUrl;
        var seeder = Client.Next();
        var leechers = new[] { Client.Next(), Client.Next() };
        var finisher = Client.Next();

        using (var client = seeder.For(url))
        {
            await client.AnnounceAsync(seeder.Request(hash, left: 0), CancellationToken.None);
        }

        foreach (var leecher in leechers)
        {
            using var client = leecher.For(url);
            await client.AnnounceAsync(leecher.Request(hash, left: 5000), CancellationToken.None);
        }

        using (var client = finisher.For(url))
        {
            await client.AnnounceAsync(finisher.Request(hash, left: 5000), CancellationToken.None);
            var done = await client.AnnounceAsync(finisher.Request(hash, left: 0, TrackerEvent.Completed), CancellationToken.None);
            Assert.Equal((2L, 2L), (done.Seeders!.Value, done.Leechers!.Value));
        }

        using var scraper = Client.Next().For(url);
        var counts = await scraper.ScrapeAsync(hash, CancellationToken.None);

        Assert.Equal(new ScrapeResponse(Seeders: 2, Leechers: 2, Downloaded: 1), counts);
    }

    [Fact]
    public async Task Stopped_event_takes_a_peer_out_of_the_swarm()
    {
        var hash = NewInfoHash();
        await using var tracker = await OpenTracker.StartAsync([hash.Hex]);
        var peer = Client.Next();
        using var client = peer.For(tracker.UdpAnnounceUrl);

        await client.AnnounceAsync(peer.Request(hash, left: 10), CancellationToken.None);
        Assert.Equal(1, (await client.ScrapeAsync(hash, CancellationToken.None)).Leechers);
        await client.AnnounceAsync(peer.Request(hash, left: 10, TrackerEvent.Stopped), CancellationToken.None);

        Assert.Equal(0, (await client.ScrapeAsync(hash, CancellationToken.None)).Leechers);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("udp")]
    public async Task Unlisted_torrent_is_refused(string scheme)
    {
        var listed = NewInfoHash();
        await using var tracker = await OpenTracker.StartAsync([listed.Hex]);
        var peer = Client.Next();
        using var client = TrackerClientFactory.Create(
            scheme == "http" ? tracker.HttpAnnounceUrl : tracker.UdpAnnounceUrl,
            peer.Options with { Timeout = TimeSpan.FromSeconds(scheme == "http" ? 10 : 1), UdpRetransmitBase = TimeSpan.FromMilliseconds(200) });

        var error = await Assert.ThrowsAnyAsync<Engine.Errors.TorrentPSException>(() => client.AnnounceAsync(peer.Request(NewInfoHash(), 10), CancellationToken.None));

        // Over HTTP opentracker says why; over UDP it sends a bare 8-byte reply that no request can accept, so it times out.
        if (scheme == "http")
        {
            Assert.Equal("TrackerFailed", error.ErrorId);
            Assert.Contains("not authorized", error.Message);
        }
        else
        {
            Assert.Equal("TrackerTimeout", error.ErrorId);
        }
    }

    [Fact]
    public async Task Status_query_reports_counts_from_http_and_udp()
    {
        var hash = NewInfoHash();
        await using var tracker = await OpenTracker.StartAsync([hash.Hex]);
        var seeder = Client.Next();
        using (var client = seeder.For(tracker.UdpAnnounceUrl))
        {
            await client.AnnounceAsync(seeder.Request(hash, left: 0), CancellationToken.None);
        }

        var target = new PeerDiscoveryTarget { InfoHash = hash, TrackerTiers = [[tracker.UdpAnnounceUrl], [tracker.HttpAnnounceUrl]], Left = 1 };
        var statuses = new List<TrackerStatus>();
        await foreach (var status in TrackerStatusQuery.QueryAsync(target, Client.Next().Discovery))
        {
            statuses.Add(status);
        }

        Assert.Equal([tracker.UdpAnnounceUrl, tracker.HttpAnnounceUrl], statuses.Select(s => s.Url));
        Assert.All(statuses, s => Assert.Equal((TrackerStatusKind.Working, 1L, 0L), (s.Status, s.Seeders!.Value, s.Leechers!.Value)));
    }
}
