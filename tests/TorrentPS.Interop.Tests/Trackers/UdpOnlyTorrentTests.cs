using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Trackers;

/// <summary>A torrent made by mktorrent whose only trackers are udp://: its peers are found by the engine and by `tps peers`.</summary>
public sealed class UdpOnlyTorrentTests : IDisposable
{
    private readonly TempDirectory _folder = new("udp-only");

    public void Dispose() => _folder.Dispose();

    /// <summary>mktorrent: each <c>-a</c> makes a tier (comma-separated URLs would share one).</summary>
    private async Task<(string Path, TorrentInfo Torrent)> MakeTorrentAsync(params string[] tiers)
    {
        var content = _folder.Combine("content.bin");
        await File.WriteAllBytesAsync(content, System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000));
        var torrentPath = _folder.Combine("udp-only.torrent");
        var arguments = tiers.SelectMany(t => new[] { "-a", t }).Concat(["-l", "15", "-o", torrentPath, content]);
        await ExternalProcess.RunAsync("mktorrent", arguments, TimeSpan.FromSeconds(30));
        return (torrentPath, await TorrentInfo.LoadAsync(torrentPath));
    }

    private static async Task AnnounceSeederAsync(string url, InfoHash hash, IPEndPoint seeder)
    {
        using var client = new UdpTrackerClient(url, new TrackerOptions { LocalAddress = seeder.Address, Timeout = TimeSpan.FromSeconds(10), UdpRetransmitBase = TimeSpan.FromSeconds(1) });
        await client.AnnounceAsync(new AnnounceRequest { InfoHash = hash, PeerId = PeerId.Generate(), Port = seeder.Port, Left = 0, Event = TrackerEvent.Started }, CancellationToken.None);
    }

    private static string UdpUrl(IPEndPoint endPoint) => $"udp://{endPoint}/announce";

    [Fact]
    public async Task Peers_of_a_udp_only_torrent_are_found_through_its_tiers()
    {
        // Tier 0 is a dead UDP tracker (nothing listens there); tier 1 is a real opentracker.
        var dead = OpenTracker.ReserveEndPoint();
        var live = OpenTracker.ReserveEndPoint();
        var (_, torrent) = await MakeTorrentAsync(UdpUrl(dead), UdpUrl(live));
        Assert.Equal([[UdpUrl(dead)], [UdpUrl(live)]], torrent.TrackerTiers.Select(t => t.ToArray()));
        await using var tracker = await OpenTracker.StartAsync([torrent.Hash.Hex], live);

        var seeder = new IPEndPoint(Loopback.NextAddress(), 51000);
        await AnnounceSeederAsync(tracker.UdpAnnounceUrl, torrent.Hash, seeder);

        var options = new TrackerDiscoveryOptions
        {
            PeerId = PeerId.Generate(),
            Port = 52000,
            Tracker = new TrackerOptions { LocalAddress = Loopback.NextAddress(), Timeout = TimeSpan.FromSeconds(4), UdpRetransmitBase = TimeSpan.FromMilliseconds(500) },
        };
        var peers = new List<TorrentPeer>();
        var failures = new List<string>();
        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(PeerDiscoveryTarget.FromTorrent(torrent), options))
        {
            if (found.Kind == TrackerDiscoveryEventKind.Peer)
            {
                peers.Add(found.Peer!);
            }
            else if (found.Kind == TrackerDiscoveryEventKind.Failed)
            {
                failures.Add($"{found.Error!.ErrorId} {found.TrackerUrl}");
            }
        }

        var peer = Assert.Single(peers);
        Assert.Equal(seeder, peer.IPEndPoint);
        Assert.Equal((torrent.Hash, PeerSource.Tracker, UdpUrl(live)), (peer.Hash, peer.Source, peer.Tracker));
        // Nothing listens on the dead tracker's port: refused at once (ICMP port unreachable), not waited out.
        Assert.Equal([$"TrackerFailed {UdpUrl(dead)}"], failures);
    }

    [Fact]
    public async Task Tps_peers_prints_each_peer_as_ip_colon_port()
    {
        var live = OpenTracker.ReserveEndPoint();
        var (torrentPath, torrent) = await MakeTorrentAsync(UdpUrl(live));
        await using var tracker = await OpenTracker.StartAsync([torrent.Hash.Hex], live);
        var seeders = new[] { new IPEndPoint(Loopback.NextAddress(), 51001), new IPEndPoint(Loopback.NextAddress(), 51002) };
        foreach (var seeder in seeders)
        {
            await AnnounceSeederAsync(tracker.UdpAnnounceUrl, torrent.Hash, seeder);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await TorrentPS.Cli.CliApp.RunAsync(["peers", torrentPath, "--timeout", "5"], stdout, stderr, CancellationToken.None);

        Assert.True(exit == 0, stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // Only the answer on stdout: the two seeders, and not ourselves (opentracker lists the announcer too).
        Assert.Equal(seeders.Select(s => s.ToString()).Order(), lines.Order());
    }
}
