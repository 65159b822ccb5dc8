using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// Addresses and ports on 127.0.0.0/8 for test processes. Each call to <see cref="NextAddress"/> gives a
/// fresh 127.0.x.y so a tracker sees distinct peers and transmission never sees an IP twice.
/// Nothing a test starts may use any other address.
/// </summary>
public static class Loopback
{
    private static int _next = (Environment.ProcessId % 200) * 256;

    /// <summary>A loopback address not handed out before in this test run (never 127.0.0.1).</summary>
    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref _next);
        var b2 = (byte)(n / 250 % 250);
        var b3 = (byte)((n % 250) + 2);
        return new IPAddress([127, 0, b2, b3]);
    }

    /// <summary>A TCP and UDP port free on <paramref name="address"/> right now.</summary>
    public static int FreePort(IPAddress address)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new TcpListener(address, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // UDP side taken: try another.
            }
        }

        throw new InvalidOperationException($"No free port on {address}.");
    }
}
