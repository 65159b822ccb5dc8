using System.Net;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Where the session listens for peers: a bind address (every address by default) and a port (6881 by default, else the
/// next free one; 0 lets the system pick). The port is free for TCP and UDP alike, so the DHT can share its number.
/// </summary>
public sealed record ListenSettings
{
    /// <summary>The port a session listens on unless told otherwise.</summary>
    public const int DefaultPort = 6881;

    /// <summary>How many ports from the asked one are tried before giving up (the default port then takes any free one).</summary>
    public const int PortsTried = 10;

    /// <summary>The address to bind; <see cref="IPAddress.Any"/> (0.0.0.0) by default.</summary>
    public IPAddress Address { get; init; } = IPAddress.Any;

    /// <summary>The port: <see cref="DefaultPort"/> by default; 0 for any free port.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>0.0.0.0:6881 (or the next free port).</summary>
    public static ListenSettings Default { get; } = new();

    /// <summary>Any free port on <paramref name="address"/> (tests bind loopback addresses).</summary>
    public static ListenSettings AnyPort(IPAddress? address = null) => new() { Address = address ?? IPAddress.Any, Port = 0 };

    public override string ToString() => new IPEndPoint(Address, Port).ToString();
}
