using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>Asks a tracker what it knows about a torrent, as a passing peer that leaves no trace (it announces stopped after).</summary>
public static class TrackerProbe
{
    /// <summary>The peers the tracker names for <paramref name="infoHash"/> (the probe itself left out).</summary>
    public static async Task<IReadOnlyList<IPEndPoint>> PeersAsync(string announceUrl, InfoHash infoHash)
    {
        var address = Loopback.NextAddress();
        using var client = new HttpTrackerClient(announceUrl, options: new TrackerOptions { Timeout = TimeSpan.FromSeconds(5), LocalAddress = address });
        var request = new AnnounceRequest { InfoHash = infoHash, PeerId = PeerId.Generate(), Port = 1, Left = 1, Event = TrackerEvent.Started };
        var response = await client.AnnounceAsync(request, CancellationToken.None);
        await client.AnnounceAsync(request with { Event = TrackerEvent.Stopped, NumWant = 0 }, CancellationToken.None);
        return response.Peers.Where(p => !p.Address.Equals(address)).ToArray();
    }

    /// <summary>Waits until the tracker names (or, with <paramref name="listed"/> false, no longer names) <paramref name="peer"/>.</summary>
    public static async Task WaitAsync(string announceUrl, InfoHash infoHash, IPEndPoint peer, bool listed = true, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var peers = await PeersAsync(announceUrl, infoHash);
            if (peers.Contains(peer) == listed)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The tracker still {(listed ? "does not name" : "names")} {peer}: it names [{string.Join(", ", peers)}].");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The tracker's seeder count for <paramref name="infoHash"/> (a scrape).</summary>
    public static async Task<long> SeedersAsync(string announceUrl, InfoHash infoHash)
    {
        using var client = new HttpTrackerClient(announceUrl, options: new TrackerOptions { Timeout = TimeSpan.FromSeconds(5), LocalAddress = Loopback.NextAddress() });
        return (await client.ScrapeAsync(infoHash, CancellationToken.None)).Seeders;
    }
}
