using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>The session's bind policy: one port number free for TCP and UDP, the asked one or the next.</summary>
public sealed class ListenBindingTests
{
    private static readonly IPAddress Address = IPAddress.Loopback;

    [Fact]
    public async Task Port_0_takes_a_port_free_for_TCP_and_UDP_and_keeps_the_UDP_socket_for_the_DHT()
    {
        await using var binding = Bind(ListenSettings.AnyPort(Address));

        Assert.NotEqual(0, binding.EndPoint.Port);
        using var udp = binding.TakeUdpSocket();
        Assert.Equal(binding.EndPoint.Port, ((IPEndPoint)udp!.LocalEndPoint!).Port);
        Assert.Null(binding.TakeUdpSocket());
    }

    [Fact]
    public async Task A_port_taken_for_TCP_moves_to_the_next()
    {
        using var taken = new TcpListener(Address, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var binding = Bind(new ListenSettings { Address = Address, Port = port });

        Assert.NotEqual(port, binding.EndPoint.Port);
        Assert.InRange(binding.EndPoint.Port, port + 1, port + ListenSettings.PortsTried - 1);
    }

    [Fact]
    public async Task A_port_free_for_TCP_but_taken_for_UDP_is_not_used()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(Address, 0));
        var port = ((IPEndPoint)udp.LocalEndPoint!).Port;

        await using var binding = Bind(new ListenSettings { Address = Address, Port = port });

        Assert.NotEqual(port, binding.EndPoint.Port);
    }

    [Fact]
    public void An_explicit_port_whose_neighbours_are_all_taken_fails_with_ListenFailed()
    {
        var taken = new List<TcpListener>();
        try
        {
            var first = FindFreeRange(ListenSettings.PortsTried);
            for (var port = first; port < first + ListenSettings.PortsTried; port++)
            {
                var listener = new TcpListener(Address, port);
                listener.Start();
                taken.Add(listener);
            }

            var error = Assert.Throws<TorrentPSException>(() => Bind(new ListenSettings { Address = Address, Port = first }));
            Assert.Equal("ListenFailed", error.ErrorId);
        }
        finally
        {
            taken.ForEach(l => l.Stop());
        }
    }

    [Fact]
    public async Task A_session_announces_exactly_the_port_it_listens_on()
    {
        await using var session = new TorrentSession(listen: ListenSettings.AnyPort(Address));
        Assert.Null(session.ListenEndPoint);

        var bound = session.Listen();

        Assert.Equal(bound, session.ListenEndPoint);
        Assert.Equal(bound.Port, session.ListenPort);
        Assert.Equal(bound.Port, session.CreateDiscoveryOptions(TimeSpan.FromSeconds(1)).Port);
        using var probe = new TcpClient();
        await probe.ConnectAsync(bound.Address, bound.Port);
    }

    [Fact]
    public async Task A_one_off_tracker_conversation_makes_the_session_listen_so_the_port_it_announces_answers()
    {
        await using var session = new TorrentSession(listen: ListenSettings.AnyPort(Address));

        var options = session.CreateDiscoveryOptions(TimeSpan.FromSeconds(1));

        Assert.NotNull(session.ListenEndPoint);
        Assert.Equal(session.ListenPort, options.Port);
        using var probe = new TcpClient();
        await probe.ConnectAsync(Address, options.Port);
    }

    private static ListenBinding Bind(ListenSettings settings)
        => ListenBinding.Bind(settings, endPoint => PeerListener.Start(endPoint, _ => null, (wire, _) => wire.Dispose()));

    /// <summary>A run of <paramref name="count"/> ports all free now (a guess checked by binding each).</summary>
    private static int FindFreeRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000);
            var ok = true;
            for (var port = first; port < first + count && ok; port++)
            {
                try
                {
                    var probe = new TcpListener(Address, port);
                    probe.Start();
                    probe.Stop();
                }
                catch (SocketException)
                {
                    ok = false;
                }
            }

            if (ok)
            {
                return first;
            }
        }

        throw new InvalidOperationException("no free range of ports");
    }
}
