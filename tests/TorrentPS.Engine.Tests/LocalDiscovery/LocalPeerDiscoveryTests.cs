using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.LocalDiscovery;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.LocalDiscovery;

/// <summary>
/// Two discoveries in one process hear each other. IPv4 goes through real multicast on the loopback interface with a
/// TTL of 0 (verified to work here, and the kernel never puts a TTL-0 multicast datagram on a wire); IPv6 multicast has
/// no route through <c>lo</c> on Linux, so IPv6 goes through the loopback stand-in ([::1] unicast). Each test takes its
/// own group port so parallel runs do not hear each other.
/// </summary>
public sealed class LocalPeerDiscoveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly InfoHash Shared = new(Enumerable.Repeat((byte)0xAB, 20).ToArray());
    private static readonly InfoHash Other = new(Enumerable.Repeat((byte)0xCD, 20).ToArray());

    private static int FreeUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task<LocalPeerFound> NextFoundAsync(LocalPeerDiscovery discovery)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await discovery.Found.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task Two_discoveries_on_loopback_multicast_hear_each_others_announce()
    {
        var options = LocalDiscoveryOptions.LoopbackOnly(FreeUdpPort(IPAddress.Any));
        await using var first = new LocalPeerDiscovery(7001, options);
        await using var second = new LocalPeerDiscovery(7002, options);
        first.Announce(Shared);
        second.Announce(Shared);
        first.Start();
        second.Start();

        var heardByFirst = await NextFoundAsync(first);
        var heardBySecond = await NextFoundAsync(second);

        Assert.Equal(new LocalPeerFound(Shared, new IPEndPoint(IPAddress.Loopback, 7002)), heardByFirst);
        Assert.Equal(new LocalPeerFound(Shared, new IPEndPoint(IPAddress.Loopback, 7001)), heardBySecond);
        Assert.Equal([new IPEndPoint(LocalDiscoveryOptions.IPv4Group, options.Port)], first.Groups);
    }

    [Fact]
    public async Task Our_own_announce_comes_back_and_is_ignored()
    {
        var options = LocalDiscoveryOptions.LoopbackOnly(FreeUdpPort(IPAddress.Any));
        await using var alone = new LocalPeerDiscovery(7003, options);
        var own = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alone.Observed = (outcome, _) =>
        {
            if (outcome == LocalDatagramOutcome.Own)
            {
                own.TrySetResult();
            }
        };
        alone.Announce(Shared);
        alone.Start();

        await own.Task.WaitAsync(Patience);

        Assert.True(SpinWait.SpinUntil(() => alone.AnnouncesSent >= 1, Patience), "the announce is counted (it can come back before the sender counts it)");
        Assert.Equal(1, alone.OwnAnnouncesIgnored);
        Assert.False(alone.Found.TryRead(out _));
    }

    [Fact]
    public async Task Announces_of_torrents_we_do_not_have_are_not_reported()
    {
        var options = LocalDiscoveryOptions.LoopbackOnly(FreeUdpPort(IPAddress.Any));
        await using var listener = new LocalPeerDiscovery(7004, options);
        await using var announcer = new LocalPeerDiscovery(7005, options);
        var heard = new TaskCompletionSource<LocalDatagramOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Observed = (outcome, _) =>
        {
            if (outcome != LocalDatagramOutcome.Own)
            {
                heard.TrySetResult(outcome);
            }
        };
        listener.Announce(Shared);
        announcer.Announce(Other);
        listener.Start();
        announcer.Start();

        Assert.Equal(LocalDatagramOutcome.NothingNew, await heard.Task.WaitAsync(Patience));
        Assert.False(listener.Found.TryRead(out _));
    }

    [Fact]
    public async Task Two_discoveries_hear_each_other_over_IPv6_through_the_loopback_stand_in()
    {
        var loopback6 = IPAddress.IPv6Loopback;
        var (portA, portB) = (FreeUdpPort(loopback6), FreeUdpPort(loopback6));
        var a = new LocalDiscoveryOptions { StandInBind = new(loopback6, portA), StandInDestination = new(loopback6, portB) };
        var b = new LocalDiscoveryOptions { StandInBind = new(loopback6, portB), StandInDestination = new(loopback6, portA) };
        await using var first = new LocalPeerDiscovery(7006, a);
        await using var second = new LocalPeerDiscovery(7007, b);
        first.Announce(Shared);
        second.Announce(Shared);
        first.Start();
        second.Start();

        Assert.Equal(new LocalPeerFound(Shared, new IPEndPoint(loopback6, 7007)), await NextFoundAsync(first));
        Assert.Equal(new LocalPeerFound(Shared, new IPEndPoint(loopback6, 7006)), await NextFoundAsync(second));
    }

    [Fact]
    public async Task The_announce_carries_the_group_as_Host_our_port_our_torrents_and_our_cookie()
    {
        var loopback = IPAddress.Loopback;
        var port = FreeUdpPort(loopback);
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(loopback, 0));
        var options = new LocalDiscoveryOptions { Port = 6771, StandInBind = new(loopback, port), StandInDestination = (IPEndPoint)receiver.LocalEndPoint! };
        await using var discovery = new LocalPeerDiscovery(6881, options);
        discovery.Announce(Shared);
        discovery.Announce(Other);
        discovery.Start();

        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        var received = await receiver.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        var message = BtSearchMessage.Parse(buffer.AsSpan(0, received));

        Assert.Equal(("239.192.152.143:6771", 6881, discovery.Cookie), (message.Host, message.Port, message.Cookie));
        Assert.Equal(new HashSet<InfoHash> { Shared, Other }, message.InfoHashes.ToHashSet());
    }

    [Fact]
    public async Task With_a_fake_clock_a_torrent_is_announced_again_only_when_five_minutes_have_passed()
    {
        var loopback = IPAddress.Loopback;
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(loopback, 0));
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        var options = new LocalDiscoveryOptions { StandInBind = new(loopback, FreeUdpPort(loopback)), StandInDestination = (IPEndPoint)receiver.LocalEndPoint! };
        await using var discovery = new LocalPeerDiscovery(6881, options, time);
        discovery.Announce(Shared);
        discovery.Start();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        await receiver.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        // The datagram can arrive before the sender counts it.
        Assert.True(SpinWait.SpinUntil(() => discovery.AnnouncesSent == 1, Patience), "the first announce is counted");

        // Nothing more is due before five minutes: a receive started now completes only with the second announce.
        var second = receiver.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, discovery.AnnouncesSent);
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await second;

        Assert.True(SpinWait.SpinUntil(() => discovery.AnnouncesSent == 2, Patience), $"{discovery.AnnouncesSent} announces counted after the second arrived");
    }

    [Fact]
    public async Task A_peer_is_reported_again_only_after_a_minute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        await using var discovery = new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(1), time);
        discovery.Announce(Shared);
        var sender = new IPEndPoint(IPAddress.Parse("127.0.0.9"), 5000);
        var datagram = new BtSearchMessage("239.192.152.143:6771", 7777, [Shared], "someone-else").ToArray();

        discovery.Handle(datagram, sender);
        discovery.Handle(datagram, sender);
        time.Advance(TimeSpan.FromSeconds(59));
        discovery.Handle(datagram, sender);
        time.Advance(TimeSpan.FromSeconds(1));
        discovery.Handle(datagram, sender);

        Assert.True(discovery.Found.TryRead(out var first));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 7777), first.EndPoint);
        Assert.True(discovery.Found.TryRead(out _));
        Assert.False(discovery.Found.TryRead(out _));
    }

    [Fact]
    public async Task A_sender_that_floods_has_at_most_20_datagrams_a_minute_read()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        await using var discovery = new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(1), time);
        discovery.Announce(Shared);
        var sender = new IPEndPoint(IPAddress.Parse("127.0.0.10"), 5000);
        var found = 0;

        for (var i = 0; i < 100; i++)
        {
            discovery.Handle(new BtSearchMessage("x:1", 1000 + i, [Shared]).ToArray(), sender);
        }

        while (discovery.Found.TryRead(out _))
        {
            found++;
        }

        Assert.Equal(20, found);
        Assert.Equal(80, discovery.DatagramsRefused);

        time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 100; i++)
        {
            discovery.Handle(new BtSearchMessage("x:1", 2000 + i, [Shared]).ToArray(), sender);
        }

        while (discovery.Found.TryRead(out _))
        {
            found++;
        }

        Assert.Equal(30, found);
    }

    [Fact]
    public async Task Garbage_on_the_port_is_counted_and_reports_nothing()
    {
        await using var discovery = new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(1));
        discovery.Announce(Shared);

        discovery.Handle(Encoding.ASCII.GetBytes("M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\n\r\n"), new IPEndPoint(IPAddress.Loopback, 1));
        discovery.Handle(new byte[3000], new IPEndPoint(IPAddress.Loopback, 1));

        Assert.Equal(2, discovery.DatagramsRefused);
        Assert.False(discovery.Found.TryRead(out _));
    }

    [Fact]
    public async Task Disposal_is_prompt_and_completes_the_found_channel()
    {
        var discovery = new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(FreeUdpPort(IPAddress.Any)));
        discovery.Announce(Shared);
        discovery.Start();

        await discovery.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        await discovery.Found.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void In_this_process_a_configuration_that_could_leave_the_host_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new LocalPeerDiscovery(6881));
        Assert.Throws<InvalidOperationException>(() => new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(1) with { MulticastHops = 1 }));
        Assert.Throws<InvalidOperationException>(() => new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(1) with { IPv4Interface = null }));
        Assert.Throws<InvalidOperationException>(() => new LocalPeerDiscovery(6881, LocalDiscoveryOptions.LoopbackOnly(1) with { UseIPv6 = true, IPv6InterfaceIndex = 0 }));
    }

    [Fact]
    public void The_production_defaults_are_BEP_14s_groups_on_the_default_interfaces()
    {
        var defaults = LocalDiscoveryOptions.Default;

        Assert.Equal((6771, true, true, (IPAddress?)null, 0, 1), (defaults.Port, defaults.UseIPv4, defaults.UseIPv6, defaults.IPv4Interface, defaults.IPv6InterfaceIndex, defaults.MulticastHops));
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1)), (defaults.AnnounceInterval, defaults.DatagramInterval));
        Assert.False(defaults.StaysOnThisHost);
        Assert.True(LocalDiscoveryOptions.LoopbackOnly(6771).StaysOnThisHost);
    }
}
