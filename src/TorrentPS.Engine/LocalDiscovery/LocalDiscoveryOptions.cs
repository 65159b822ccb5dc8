using System.Net;
using System.Net.NetworkInformation;

namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>
/// Where and how often <see cref="LocalPeerDiscovery"/> announces. The defaults are BEP 14's: the groups
/// 239.192.152.143:6771 and [ff15::efc0:988f]:6771 on the system's default multicast interfaces, an announce of each
/// torrent every 5 minutes, a hop limit of 1 (the local network). <see cref="LoopbackOnly"/> keeps every datagram on
/// this machine, for tests.
/// </summary>
internal sealed record LocalDiscoveryOptions
{
    public const int DefaultPort = 6771;

    public static IPAddress IPv4Group { get; } = IPAddress.Parse("239.192.152.143");

    public static IPAddress IPv6Group { get; } = IPAddress.Parse("ff15::efc0:988f");

    public static LocalDiscoveryOptions Default { get; } = new();

    /// <summary>The UDP port of the groups (BEP 14: 6771; tests take a free one so that runs do not hear each other).</summary>
    public int Port { get; init; } = DefaultPort;

    public bool UseIPv4 { get; init; } = true;

    /// <summary>Also the IPv6 group, where IPv6 multicast works (a failure to join or send turns it off with a log line).</summary>
    public bool UseIPv6 { get; init; } = true;

    /// <summary>The local address of the interface to join and send on (IP_MULTICAST_IF); null for the system's default.</summary>
    public IPAddress? IPv4Interface { get; init; }

    /// <summary>The index of the interface to join and send on for IPv6 (IPV6_MULTICAST_IF); 0 for the system's default.</summary>
    public int IPv6InterfaceIndex { get; init; }

    /// <summary>The multicast TTL (IPv4) and hop limit (IPv6): 1 stays on the local network, 0 on this host.</summary>
    public int MulticastHops { get; init; } = 1;

    /// <summary>How often each torrent is announced (BEP 14: every 5 minutes).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two datagrams we send, whatever the group (no multicast storms).</summary>
    public TimeSpan DatagramInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The same torrent and address are reported again only after this long.</summary>
    public TimeSpan RepeatReportAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How many datagrams one sender address may have read per minute (a burst of as many at once).</summary>
    public int MaxDatagramsPerSenderPerMinute { get; init; } = 20;

    /// <summary>
    /// Test hook: instead of the multicast groups, bind this loopback address and send each announce to
    /// <see cref="StandInDestination"/> (a loopback unicast address): for paths where multicast on loopback does not work.
    /// </summary>
    internal IPEndPoint? StandInBind { get; init; }

    /// <inheritdoc cref="StandInBind"/>
    internal IPEndPoint? StandInDestination { get; init; }

    /// <summary>
    /// Multicast only through the loopback interface, with a TTL and hop limit of 0 (the kernel never puts such a
    /// datagram on a wire), on group port <paramref name="port"/>. IPv6 is off unless asked: multicast to
    /// <c>ff15::/16</c> through loopback fails where <c>lo</c> has no IPv6 multicast route (Linux by default).
    /// </summary>
    public static LocalDiscoveryOptions LoopbackOnly(int port, bool ipv6 = false) => new()
    {
        Port = port,
        UseIPv6 = ipv6,
        IPv4Interface = IPAddress.Loopback,
        IPv6InterfaceIndex = LoopbackIndex,
        MulticastHops = 0,
    };

    /// <summary>The loopback interface's index (1 on Linux and Windows).</summary>
    internal static int LoopbackIndex
    {
        get
        {
            try
            {
                return NetworkInterface.IPv6LoopbackInterfaceIndex;
            }
            catch (NetworkInformationException)
            {
                return 1;
            }
        }
    }

    /// <summary>Every datagram this configuration sends stays on this host.</summary>
    internal bool StaysOnThisHost
        => StandInBind is not null
            ? IPAddress.IsLoopback(StandInBind.Address) && StandInDestination is not null && IPAddress.IsLoopback(StandInDestination.Address)
            : MulticastHops == 0
              && (!UseIPv4 || (IPv4Interface is not null && IPAddress.IsLoopback(IPv4Interface)))
              && (!UseIPv6 || IPv6InterfaceIndex == LoopbackIndex);
}
