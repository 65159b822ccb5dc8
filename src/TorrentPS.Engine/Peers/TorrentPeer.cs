using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Peers;

/// <summary>
/// A peer of a swarm as discovered (not yet connected). Carries its <see cref="InfoHash"/> so
/// <c>Get-TorrentPeer | Invoke-PeerHandshake</c> binds by property name.
/// </summary>
public sealed class TorrentPeer : IEquatable<TorrentPeer>
{
    public TorrentPeer(IPAddress address, int port, InfoHash infoHash, PeerSource source, string? tracker = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        IPAddress = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Port = port;
        Hash = infoHash;
        Source = source;
        Tracker = tracker;
    }

    /// <summary>The peer's IP address as text (<c>127.0.0.2</c>, <c>::1</c>).</summary>
    public string Address => IPAddress.ToString();

    internal IPAddress IPAddress { get; }

    public int Port { get; }

    /// <summary>The info hash as 40 lowercase hex digits: binds <c>-InfoHash</c> of Invoke-PeerHandshake.</summary>
    public string InfoHash => Hash.Hex;

    internal InfoHash Hash { get; }

    public PeerSource Source { get; }

    /// <summary>The tracker that listed this peer, when <see cref="Source"/> is <see cref="PeerSource.Tracker"/>.</summary>
    public string? Tracker { get; }

    /// <summary>The peer's address and port, typed.</summary>
    internal IPEndPoint IPEndPoint => new(IPAddress, Port);

    /// <summary><c>ip:port</c>, with brackets around IPv6 addresses: what <c>-Address</c> of Invoke-PeerHandshake takes.</summary>
    public string EndPoint => EndPointText;

    /// <summary><c>ip:port</c>, with brackets around IPv6 addresses.</summary>
    public string EndPointText => IPEndPoint.ToString();

    public bool Equals(TorrentPeer? other)
        => other is not null && other.Port == Port && other.IPAddress.Equals(IPAddress) && other.Hash.Equals(Hash);

    public override bool Equals(object? obj) => obj is TorrentPeer other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IPAddress, Port, Hash);

    public override string ToString() => EndPointText;
}
