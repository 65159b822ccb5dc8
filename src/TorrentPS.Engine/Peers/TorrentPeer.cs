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
        Address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Port = port;
        InfoHash = infoHash;
        Source = source;
        Tracker = tracker;
    }

    public IPAddress Address { get; }

    public int Port { get; }

    public InfoHash InfoHash { get; }

    public PeerSource Source { get; }

    /// <summary>The tracker that listed this peer, when <see cref="Source"/> is <see cref="PeerSource.Tracker"/>.</summary>
    public string? Tracker { get; }

    public IPEndPoint EndPoint => new(Address, Port);

    /// <summary><c>ip:port</c>, with brackets around IPv6 addresses.</summary>
    public string EndPointText => EndPoint.ToString();

    public bool Equals(TorrentPeer? other)
        => other is not null && other.Port == Port && other.Address.Equals(Address) && other.InfoHash.Equals(InfoHash);

    public override bool Equals(object? obj) => obj is TorrentPeer other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Address, Port, InfoHash);

    public override string ToString() => EndPointText;
}
