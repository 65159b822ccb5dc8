using System.Net;
using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Trackers;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Trackers;

/// <summary>
/// Asking a real opentracker for peers (<c>Get-TorrentPeer</c>'s discovery, and <c>tps peers</c> in a process of its
/// own) leaves no phantom peer: a peer that announces afterwards is given the peers that stayed, never us.
/// </summary>
public sealed class PhantomPeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A peer on an address of its own, announcing with our tracker clients.</summary>
    private sealed record Peer(IPEndPoint EndPoint, PeerId PeerId)
    {
        public static Peer Next()
        {
            var address = Loopback.NextAddress();
            return new Peer(new IPEndPoint(address, 40000 + RandomNumberGenerator.GetInt32(20000)), PeerId.Generate());
        }

        public async Task<AnnounceResponse> AnnounceAsync(string url, InfoHash hash)
        {
            using var client = TrackerClientFactory.Create(url, new TrackerOptions { Timeout = Timeout, UdpRetransmitBase = TimeSpan.FromSeconds(1), LocalAddress = EndPoint.Address });
            return await client.AnnounceAsync(new AnnounceRequest { InfoHash = hash, PeerId = PeerId, Port = EndPoint.Port, Left = 1000, Event = TrackerEvent.Started }, CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("engine", "http")]
    [InlineData("engine", "udp")]
    [InlineData("tps", "http")]
    [InlineData("tps", "udp")]
    public async Task A_peer_announcing_after_a_one_off_discovery_is_not_given_the_discovering_peer(string asker, string scheme)
    {
        var hash = new InfoHash(RandomNumberGenerator.GetBytes(20));
        await using var tracker = await OpenTracker.StartAsync([hash.Hex]);
        var url = scheme == "http" ? tracker.HttpAnnounceUrl : tracker.UdpAnnounceUrl;

        // A peer that announced and stays: what the tracker does with a peer that never says stopped.
        var stayer = Peer.Next();
        await stayer.AnnounceAsync(url, hash);

        // The discovery as Get-TorrentPeer runs it (the process's session, its announced port, from 127.0.0.1), or tps peers.
        var options = TorrentSession.Shared.CreateDiscoveryOptions(Timeout);
        string[] found;
        if (asker == "engine")
        {
            var peers = new List<string>();
            await foreach (var discovered in TrackerPeerDiscovery.DiscoverAsync(new PeerDiscoveryTarget { InfoHash = hash, TrackerTiers = [[url]], Left = 1000 }, options))
            {
                Assert.True(discovered.Kind != TrackerDiscoveryEventKind.Failed, discovered.ToString());
                if (discovered.Kind == TrackerDiscoveryEventKind.Peer)
                {
                    peers.Add(discovered.Peer!.EndPointText);
                }
            }

            found = [.. peers];
        }
        else
        {
            var magnet = $"magnet:?xt=urn:btih:{hash.Hex}&tr={Uri.EscapeDataString(url)}";
            found = (await Tps.RunAsync(["peers", magnet, "--timeout", "10"], TimeSpan.FromSeconds(60))).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => IPEndPoint.TryParse(l, out _)).ToArray();
        }

        Assert.Contains(stayer.EndPoint.ToString(), found);

        // Who the tracker saw asking: 127.0.0.1 at the port the session announces (tps's fresh session listens on none: the default).
        var discoverer = new IPEndPoint(IPAddress.Loopback, asker == "engine" ? options.Port : TrackerDiscoveryOptions.DefaultPort);
        var later = await Peer.Next().AnnounceAsync(url, hash);

        Assert.Contains(stayer.EndPoint, later.Peers);
        Assert.DoesNotContain(discoverer, later.Peers);
        Assert.Equal(2, later.Leechers); // the stayer and the later peer: the discovering peer left
    }
}
