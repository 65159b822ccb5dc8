using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Peers found without a tracker: the DHT (this torrent's <see cref="DhtPeerSearch"/> on the session's node: a lookup
/// and an announce of our port when the run starts, every 15 to 30 minutes, and sooner when the roster runs dry) and
/// local service discovery (the session announces the torrent on the local network; peers it hears of come through
/// <see cref="AddPeers"/>). Never for a private torrent (BEP 27): a magnet link's torrent found private when its
/// metadata arrives stops both at once.
/// </summary>
internal sealed partial class TorrentRun
{
    private readonly SessionDiscovery? _discovery;
    private DhtPeerSearch? _dhtSearch;
    private bool _announcedLocally;

    /// <summary>Whether this run looks for peers through the DHT now (tests; read from any thread).</summary>
    internal bool SearchesDht => Volatile.Read(ref _dhtSearch) is not null;

    /// <summary>Whether this run is announced on the local network now (tests).</summary>
    internal bool AnnouncedLocally => Volatile.Read(ref _announcedLocally);

    /// <summary>Starts the DHT search and the local announce, where the session has them and the torrent may use them.</summary>
    private void StartDiscovery()
    {
        if (_discovery is null || Info is { IsPrivate: true })
        {
            return;
        }

        if (_options.UseDht && _discovery.Dht is { } dht && _dhtSearch is null)
        {
            _dhtSearch = new DhtPeerSearch(
                dht,
                InfoHash,
                _identity.ListenPort,
                Info?.DhtNodes ?? [],
                peers => Post(new SwarmEvent.PeersFound(ToDhtPeers(peers))),
                _time,
                _loggers.CreateLogger<DhtPeerSearch>(),
                Name);
        }

        if (_options.UseLocalDiscovery && _discovery.Local is not null && !_announcedLocally)
        {
            _announcedLocally = true;
            _discovery.Announce(InfoHash);
        }
    }

    /// <summary>The loop's tick: the DHT search starts a lookup when one is due.</summary>
    private void TickDiscovery(long now) => _dhtSearch?.Tick(now);

    /// <summary>The roster has no peer of use: the DHT looks again (never within a minute of its last lookup).</summary>
    private void RequestDiscoveryPeers() => _dhtSearch?.RequestPeers();

    /// <summary>The metadata says the torrent is private: the DHT search ends and the local announce is withdrawn.</summary>
    private void StopDiscoveryForPrivate()
    {
        if (_dhtSearch is { } search)
        {
            _dhtSearch = null;
            _ = search.DisposeAsync().AsTask();
        }

        WithdrawLocally();
        _logger.LogInformation("{Torrent}: private torrent: its peers come from its trackers only (no DHT, peer exchange or local discovery)", Name);
    }

    /// <summary>At the end of the run (off the loop): the search stops and the local announce is withdrawn.</summary>
    private async Task EndDiscoveryAsync()
    {
        WithdrawLocally();
        if (_dhtSearch is { } search)
        {
            _dhtSearch = null;
            await search.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void WithdrawLocally()
    {
        if (_announcedLocally)
        {
            _announcedLocally = false;
            _discovery?.Withdraw(InfoHash);
        }
    }

    private TorrentPeer[] ToDhtPeers(IReadOnlyList<TorrentPeer> peers)
    {
        var found = new TorrentPeer[peers.Count];
        for (var i = 0; i < peers.Count; i++)
        {
            found[i] = new TorrentPeer(peers[i].IPAddress, peers[i].Port, InfoHash, PeerSource.Dht);
        }

        return found;
    }
}
