using System.Net;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// Fresh loopback addresses (127.1.x.y, 127.2.x.y, ...) for fake peers: the engine bans a bad peer by its address, so
/// each fake needs one of its own. Never 127.0.0.1; nothing outside 127.0.0.0/8.
/// </summary>
internal static class TestAddresses
{
    private static int _next = Random.Shared.Next(0, 200) * 250;

    public static IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next);
        return new IPAddress([127, (byte)(1 + (n / 62500 % 250)), (byte)(n / 250 % 250), (byte)((n % 250) + 2)]);
    }
}
