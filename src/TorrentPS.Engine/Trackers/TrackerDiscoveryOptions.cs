using System.Net;
using System.Net.NetworkInformation;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Trackers;

/// <summary>Who we are to trackers and how hard discovery tries.</summary>
public sealed record TrackerDiscoveryOptions
{
    /// <summary>Announced as our port while the session does not listen yet (the conventional BitTorrent port).</summary>
    internal const int DefaultPort = 6881;

    public required PeerId PeerId { get; init; }

    public required int Port { get; init; }

    internal uint Key { get; init; }

    internal int NumWant { get; init; } = 200;

    internal TrackerEvent Event { get; init; } = TrackerEvent.Started;

    internal TrackerOptions Tracker { get; init; } = TrackerOptions.Default;

    /// <summary>How many tiers (or, for status, trackers) are asked at once.</summary>
    internal int MaxConcurrency { get; init; } = 8;

    /// <summary>
    /// The most trackers one discovery or status query contacts, taken tier by tier in trying order: a torrent that
    /// lists thousands cannot make us contact them all. The rest are not contacted (and logged once).
    /// </summary>
    internal int MaxTrackers { get; init; } = 50;

    /// <summary>
    /// The longest a whole discovery or status query may take, whatever the number of trackers; trackers still
    /// waited on then are reported as timed out. Null: twice <see cref="TrackerOptions.Timeout"/>.
    /// </summary>
    internal TimeSpan? OverallTimeout { get; init; }

    /// <summary>
    /// How long a tier waits on a tracker that has not answered before it asks the tier's next tracker as well (the
    /// first answer wins and the others are called off), so a good tracker never waits out the timeouts of silent
    /// ones listed before it. A tracker that fails asks the next at once. Null: a fifth of
    /// <see cref="TrackerOptions.Timeout"/>, between 250 ms and 3 s.
    /// </summary>
    internal TimeSpan? TierStagger { get; init; }

    /// <summary>
    /// Whether every tracker that answered is told <c>stopped</c> before the discovery ends (the default, for a one-off
    /// discovery such as <c>Get-TorrentPeer</c>): a tracker lists whoever announced for about half an hour, and a peer
    /// that is not there is a phantom that others dial in vain. False for a caller that stays in the swarm and
    /// announces again itself.
    /// </summary>
    internal bool LeaveAfterwards { get; init; } = true;

    /// <summary>
    /// The longest a <c>stopped</c> announce may take (<see cref="LeaveAfterwards"/>); one that fails or runs out of
    /// time is logged and forgotten. Null: <see cref="TrackerOptions.Timeout"/>, at most 3 s.
    /// </summary>
    internal TimeSpan? StoppedTimeout { get; init; }

    /// <summary><see cref="StoppedTimeout"/>, or its default.</summary>
    internal TimeSpan EffectiveStoppedTimeout => StoppedTimeout ?? TimeSpan.FromTicks(Math.Min(Tracker.Timeout.Ticks, TimeSpan.FromSeconds(3).Ticks));

    /// <summary><see cref="OverallTimeout"/>, or its default.</summary>
    internal TimeSpan EffectiveOverallTimeout => OverallTimeout ?? Tracker.Timeout * 2;

    /// <summary><see cref="TierStagger"/>, or its default.</summary>
    internal TimeSpan EffectiveTierStagger
        => TierStagger ?? TimeSpan.FromTicks(Math.Clamp(Tracker.Timeout.Ticks / 5, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(3).Ticks));

    /// <summary>The clock of the discovery's deadline, stagger and progress (a fake one in tests).</summary>
    internal TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Our own endpoints: never reported as peers. The local address and port are added when both are known.</summary>
    internal IReadOnlyCollection<IPEndPoint> OwnEndPoints { get; init; } = [];

    /// <summary>The announce these options make for <paramref name="target"/>: our peer id, port, key, event and want, its info hash and <c>left</c>.</summary>
    internal AnnounceRequest CreateAnnounceRequest(PeerDiscoveryTarget target) => new()
    {
        InfoHash = target.InfoHash,
        PeerId = PeerId,
        Port = Port,
        Left = target.Left,
        Event = Event,
        NumWant = NumWant,
        Key = Key,
    };

    /// <summary>The unicast addresses of this machine's interfaces (loopback included).</summary>
    internal static IReadOnlyList<IPAddress> LocalAddresses()
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
