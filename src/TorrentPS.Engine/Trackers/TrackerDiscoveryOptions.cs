using System.Net;
using System.Net.NetworkInformation;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Trackers;

/// <summary>Who we are to trackers and how hard discovery tries.</summary>
public sealed record TrackerDiscoveryOptions
{
    /// <summary>Announced as our port while the session does not listen yet (the conventional BitTorrent port).</summary>
    public const int DefaultPort = 6881;

    public required PeerId PeerId { get; init; }

    public required int Port { get; init; }

    public uint Key { get; init; }

    public int NumWant { get; init; } = 200;

    public TrackerEvent Event { get; init; } = TrackerEvent.Started;

    public TrackerOptions Tracker { get; init; } = TrackerOptions.Default;

    /// <summary>How many tiers (or, for status, trackers) are asked at once.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Our own endpoints: never reported as peers. The local address and port are added when both are known.</summary>
    public IReadOnlyCollection<IPEndPoint> OwnEndPoints { get; init; } = [];

    /// <summary>The announce these options make for <paramref name="target"/>: our peer id, port, key, event and want, its info hash and <c>left</c>.</summary>
    public AnnounceRequest CreateAnnounceRequest(PeerDiscoveryTarget target) => new()
    {
        InfoHash = target.InfoHash,
        PeerId = PeerId,
        Port = Port,
        Left = target.Left,
        Event = Event,
        NumWant = NumWant,
        Key = Key,
    };

    /// <summary>
    /// Options from the process-wide session: its peer id, key and listen port, and this machine's own addresses at
    /// that port as endpoints never to report (trackers list the announcing peer too).
    /// </summary>
    public static TrackerDiscoveryOptions FromSession(TorrentSession session, TimeSpan timeout)
    {
        var port = session.ListenPort > 0 ? session.ListenPort : DefaultPort;
        return new()
        {
            PeerId = session.PeerId,
            Key = session.TrackerKey,
            Port = port,
            Tracker = TrackerOptions.ForInteractive(timeout),
            OwnEndPoints = LocalAddresses().Select(a => new IPEndPoint(a, port)).ToArray(),
        };
    }

    /// <summary>The unicast addresses of this machine's interfaces (loopback included).</summary>
    public static IReadOnlyList<IPAddress> LocalAddresses()
    {
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        try
        {
            foreach (var networkInterface in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in networkInterface.GetIPProperties().UnicastAddresses)
                {
                    if (!addresses.Contains(unicast.Address))
                    {
                        addresses.Add(unicast.Address);
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Interfaces unreadable here: loopback alone is still known.
        }

        return addresses;
    }
}
