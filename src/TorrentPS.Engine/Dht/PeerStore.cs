using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// The peers other nodes announced to us (<c>announce_peer</c>), by info hash: at most
/// <see cref="MaxPeersPerTorrent"/> per torrent (a new peer of a full torrent takes the place of the one announced
/// longest ago), at most <see cref="MaxTorrents"/> torrents and <see cref="MaxPeers"/> peers in all (beyond those a new
/// torrent or peer is refused), each expiring <see cref="Lifetime"/> after its last announce. A flood of announces
/// therefore costs bounded memory. Not thread-safe: its <see cref="DhtNode"/> holds its lock.
/// </summary>
internal sealed class PeerStore
{
    private readonly Dictionary<NodeId, Dictionary<IPEndPoint, DateTimeOffset>> _torrents = [];
    private readonly TimeProvider _time;
    private DateTimeOffset _expired;

    public PeerStore(TimeProvider time, int maxPeersPerTorrent, int maxTorrents, int maxPeers, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPeersPerTorrent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTorrents);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPeers);
        _time = time;
        MaxPeersPerTorrent = maxPeersPerTorrent;
        MaxTorrents = maxTorrents;
        MaxPeers = maxPeers;
        Lifetime = lifetime;
        _expired = time.GetUtcNow();
    }

    /// <summary>The least time between two expiry walks forced by a full store, so a flood of announces cannot make each one walk every peer.</summary>
    public static TimeSpan ExpireInterval { get; } = TimeSpan.FromSeconds(1);

    public int MaxPeersPerTorrent { get; }

    public int MaxTorrents { get; }

    public int MaxPeers { get; }

    public TimeSpan Lifetime { get; }

    /// <summary>Torrents with at least one stored peer.</summary>
    public int TorrentCount => _torrents.Count;

    /// <summary>Peers stored, all torrents together.</summary>
    public int PeerCount { get; private set; }

    /// <summary>Stores (or refreshes) <paramref name="peer"/> for <paramref name="infoHash"/>; false when a bound refused it.</summary>
    public bool Add(NodeId infoHash, IPEndPoint peer)
    {
        var now = _time.GetUtcNow();
        if (_torrents.TryGetValue(infoHash, out var peers) && peers.ContainsKey(peer))
        {
            peers[peer] = now + Lifetime;
            return true;
        }

        if (IsRefused(peers))
        {
            if (now - _expired < ExpireInterval)
            {
                return false;
            }

            Expire();
            _torrents.TryGetValue(infoHash, out peers);
            if (IsRefused(peers))
            {
                return false;
            }
        }

        if (peers is null)
        {
            peers = [];
            _torrents[infoHash] = peers;
        }

        if (peers.Count >= MaxPeersPerTorrent)
        {
            peers.Remove(Oldest(peers));
            PeerCount--;
        }

        peers[peer] = now + Lifetime;
        PeerCount++;
        return true;
    }

    /// <summary>Up to <paramref name="count"/> live peers of <paramref name="infoHash"/> of the family of <paramref name="family"/>'s addresses, picked at random.</summary>
    public List<IPEndPoint> Get(NodeId infoHash, int count, System.Net.Sockets.AddressFamily family)
    {
        var found = new List<IPEndPoint>();
        if (!_torrents.TryGetValue(infoHash, out var peers))
        {
            return found;
        }

        var now = _time.GetUtcNow();
        foreach (var (peer, expires) in peers)
        {
            if (expires > now && peer.AddressFamily == family)
            {
                found.Add(peer);
            }
        }

        if (found.Count > count)
        {
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(found));
            found.RemoveRange(count, found.Count - count);
        }

        return found;
    }

    /// <summary>Drops every peer whose announce is older than <see cref="Lifetime"/>, and torrents left without peers.</summary>
    public void Expire()
    {
        var now = _time.GetUtcNow();
        _expired = now;
        List<NodeId>? empty = null;
        foreach (var (infoHash, peers) in _torrents)
        {
            foreach (var (peer, expires) in peers)
            {
                if (expires <= now)
                {
                    peers.Remove(peer);
                    PeerCount--;
                }
            }

            if (peers.Count == 0)
            {
                (empty ??= []).Add(infoHash);
            }
        }

        foreach (var infoHash in empty ?? [])
        {
            _torrents.Remove(infoHash);
        }
    }

    /// <summary>A new peer is refused when the store is full, unless it takes the place of an older peer of its own full torrent.</summary>
    private bool IsRefused(Dictionary<IPEndPoint, DateTimeOffset>? peers)
        => (peers is null || peers.Count < MaxPeersPerTorrent)
           && (PeerCount >= MaxPeers || (peers is null && _torrents.Count >= MaxTorrents));

    private static IPEndPoint Oldest(Dictionary<IPEndPoint, DateTimeOffset> peers)
    {
        IPEndPoint? oldest = null;
        var soonest = DateTimeOffset.MaxValue;
        foreach (var (peer, expires) in peers)
        {
            if (expires < soonest)
            {
                soonest = expires;
                oldest = peer;
            }
        }

        return oldest!;
    }
}
