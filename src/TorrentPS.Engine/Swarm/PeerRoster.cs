using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Who a torrent talks to: the addresses it knows from every source (with what became of each dial), the dials in
/// progress, the connected peers, and who is banned. It decides whom to dial and whether a new connection is kept;
/// the dial itself is the <see cref="IPeerDialer"/>'s. Owned by the loop.
/// </summary>
internal sealed class PeerRoster : IConnectedPeers
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(90);

    private readonly Dictionary<int, PeerState> _connected = new();
    private readonly PeerSet _candidates;
    private readonly HashSet<PeerId> _bannedPeerIds = new();
    private readonly HashSet<IPAddress> _bannedAddresses = new();
    private readonly IPeerDialer _dialer;
    private readonly IConnectionBudget _budget;
    private readonly PeerOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly RosterSettings _settings;
    private readonly Action<string> _noteError;
    private int _connecting;
    private long _uploadedByClosed;

    public PeerRoster(RosterSettings settings, IPeerDialer dialer, IConnectionBudget budget, PeerOutbox outbox, Action<string> noteError, TimeProvider time, ILogger logger, string name)
    {
        _noteError = noteError;
        _settings = settings;
        _dialer = dialer;
        _budget = budget;
        _outbox = outbox;
        _time = time;
        _logger = logger;
        _name = name;
        _candidates = new PeerSet(time.TimestampFrequency);
    }

    public Dictionary<int, PeerState>.ValueCollection Connected => _connected.Values;

    public int ConnectedCount => _connected.Count;

    /// <summary>Addresses known, connected or not.</summary>
    public int KnownCount => _candidates.Count;

    /// <summary>Dials in progress.</summary>
    public int Connecting => _connecting;

    /// <summary>Addresses we did something with (dialled, failed, connected).</summary>
    public int TriedCount
    {
        get
        {
            var tried = 0;
            foreach (var candidate in _candidates.All)
            {
                tried += candidate.State != PeerCandidateState.Idle || candidate.Failures > 0 || candidate.LastError is not null ? 1 : 0;
            }

            return tried;
        }
    }

    public bool TryGet(int id, out PeerState peer) => _connected.TryGetValue(id, out peer!);

    /// <summary>Adds addresses from any source (our own and banned ones are skipped); returns how many were new.</summary>
    public int Add(IReadOnlyList<TorrentPeer> peers)
    {
        var added = 0;
        foreach (var peer in peers)
        {
            var endPoint = peer.EndPoint;
            if (_settings.IsOwnEndPoint(endPoint) || _bannedAddresses.Contains(endPoint.Address))
            {
                continue;
            }

            var known = _candidates.Count;
            _candidates.Add(endPoint, peer.Source);
            added += _candidates.Count - known;
        }

        if (added > 0)
        {
            _logger.LogDebug("{Torrent}: {Count} new peer addresses ({Known} known)", _name, added, _candidates.Count);
        }

        return added;
    }

    /// <summary>An address given by the user or the magnet link.</summary>
    public void Add(IPEndPoint endPoint, PeerSource source) => _candidates.Add(endPoint, source);

    /// <summary>
    /// Dials candidates while there is room: the connection limit, and a bound on dials in progress. A seed dials too:
    /// peers that never dial out (transmission ignores every loopback address a tracker names) are reached only so.
    /// </summary>
    public void DialMore()
    {
        var room = Math.Min(_settings.MaxConnections - _connected.Count - _connecting, _settings.MaxHalfOpen - _connecting);
        foreach (var candidate in _candidates.ToDial(_time.GetTimestamp(), room))
        {
            if (!_budget.TryAcquire())
            {
                break;
            }

            candidate.State = PeerCandidateState.Connecting;
            _connecting++;
            _dialer.Dial(candidate.EndPoint);
        }
    }

    /// <summary>A dial or handshake we started failed: back off from that address.</summary>
    public void ConnectFailed(IPEndPoint endPoint, string reason)
    {
        _connecting--;
        _budget.Release();
        _noteError($"peer {endPoint}: {reason}");
        _logger.LogDebug("{Torrent}: dialling {Peer} failed: {Reason}", _name, endPoint, reason);
        if (_candidates.Get(endPoint) is { } candidate)
        {
            _candidates.Failed(candidate, _time.GetTimestamp(), reason);
        }
    }

    /// <summary>A connection finished its handshake: kept (returned) or closed with the reason it was refused.</summary>
    public PeerState? Admit(IPeerLink link, bool stopping)
    {
        var candidate = link.IsOutgoing ? _candidates.Get(link.EndPoint) : null;
        if (link.IsOutgoing)
        {
            _connecting--;
        }

        // An outgoing connection took its session slot when the dial started; an incoming one takes it now.
        var refusal = !link.IsOutgoing && !_budget.TryAcquire() ? RefusalBudget
            : stopping ? "the torrent is stopping"
            : _connected.Count >= _settings.MaxConnections ? "the torrent's connection limit is reached"
            : link.PeerId.Equals(_settings.OwnPeerId) ? RefusalSelf
            : _bannedPeerIds.Contains(link.PeerId) || _bannedAddresses.Contains(link.EndPoint.Address) ? "it is banned for sending bad data"
            : IsConnected(link.PeerId) ? "already connected to this peer"
            : null;
        if (refusal is not null)
        {
            _logger.LogDebug("{Torrent}: dropping {Peer}: {Reason}", _name, link.EndPoint, refusal);
            if (candidate is not null && refusal == RefusalSelf)
            {
                _candidates.Ban(candidate, refusal);
            }
            else if (candidate is not null)
            {
                // Not left connecting for ever: dialled again after the back-off (say when the other connection ends).
                _candidates.Failed(candidate, _time.GetTimestamp(), refusal);
            }

            if (link.IsOutgoing || refusal != RefusalBudget)
            {
                _budget.Release();
            }

            link.Close(refusal);
            return null;
        }

        var peer = new PeerState(link, _time.GetTimestamp(), RateWindow);
        _connected.Add(link.Id, peer);
        if (candidate is not null)
        {
            candidate.State = PeerCandidateState.Connected;
        }

        _logger.LogDebug("{Torrent}: connected to {Peer} ({Direction})", _name, peer, link.IsOutgoing ? "outgoing" : "incoming");
        return peer;
    }

    /// <summary>A connection ended: it leaves the roster (returned, for the other parts to forget), its address backs off.</summary>
    public PeerState? Remove(IPeerLink link, string reason, bool stopping)
    {
        _uploadedByClosed += link.UploadedBytes;
        if (!_connected.Remove(link.Id, out var peer))
        {
            return null;
        }

        _budget.Release();
        _outbox.Forget(peer);
        if (link.IsOutgoing && _candidates.Get(link.EndPoint) is { } candidate)
        {
            var now = _time.GetTimestamp();
            if (link.DownloadedBytes > 0 || link.UploadedBytes > 0)
            {
                _candidates.Disconnected(candidate, now, reason);
            }
            else
            {
                _candidates.Failed(candidate, now, reason);
            }
        }

        _logger.LogDebug("{Torrent}: {Peer} left: {Reason}", _name, peer, reason);
        if (!stopping)
        {
            _noteError($"peer {link.EndPoint}: {reason}");
        }

        return peer;
    }

    /// <summary>Bans the peer for this session (its address and its id) and closes its connection.</summary>
    public void Ban(PeerState peer, string reason)
    {
        _logger.LogWarning("{Torrent}: banning peer {Peer} for this session: {Reason}", _name, peer, reason);
        if (peer.Link.IsOutgoing && _candidates.Get(peer.Link.EndPoint) is { } candidate)
        {
            _candidates.Ban(candidate, reason);
        }

        _bannedPeerIds.Add(peer.Link.PeerId);
        _bannedAddresses.Add(peer.Link.EndPoint.Address);
        peer.Link.Close(reason);
    }

    /// <summary>Closes every connection (the torrent is stopping).</summary>
    public void CloseAll(string reason)
    {
        foreach (var peer in _connected.Values)
        {
            peer.Link.Close(reason);
        }
    }

    /// <summary>Whether every connection and dial is gone.</summary>
    public bool IsEmpty => _connected.Count == 0 && _connecting == 0;

    /// <summary>The clock: each peer's rates sampled, and a keep-alive to peers we have not written to for a while.</summary>
    public void Tick(long now)
    {
        var frequency = _time.TimestampFrequency;
        foreach (var peer in _connected.Values)
        {
            peer.DownloadRate.Sample(peer.Link.DownloadedBytes, now, frequency);
            peer.UploadRate.Sample(peer.Link.UploadedBytes, now, frequency);
            if (_time.GetElapsedTime(peer.LastSentAt, now) > KeepAliveInterval)
            {
                _outbox.Send(peer, new OutgoingMessage(PeerMessageType.KeepAlive));
                peer.LastSentAt = now;
            }
        }
    }

    /// <summary>Block bytes uploaded in this run: by connections that closed, and so far by those still open.</summary>
    public long CountUploaded()
    {
        var uploaded = _uploadedByClosed;
        foreach (var peer in _connected.Values)
        {
            uploaded += peer.Link.UploadedBytes;
        }

        return uploaded;
    }

    /// <summary>Connected peers that have everything.</summary>
    public int CountSeeds()
    {
        var seeds = 0;
        foreach (var peer in _connected.Values)
        {
            seeds += peer.IsSeed ? 1 : 0;
        }

        return seeds;
    }

    /// <summary>Whether no connected peer is of use (none has what we want, or metadata to give) and no dial is under way.</summary>
    public bool IsIdle(bool fetchingMetadata)
    {
        foreach (var peer in _connected.Values)
        {
            if (peer.Interesting > 0 || (fetchingMetadata && peer.Extensions?.MetadataSize is > 0))
            {
                return false;
            }
        }

        return _connecting == 0;
    }

    private const string RefusalBudget = "the session's connection limit is reached";
    private const string RefusalSelf = "it is ourselves";

    private long RateWindow => 5 * _time.TimestampFrequency;

    private bool IsConnected(PeerId peerId)
    {
        foreach (var peer in _connected.Values)
        {
            if (peer.Link.PeerId.Equals(peerId))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The roster's limits and who we are.</summary>
/// <param name="MaxConnections">Connections this torrent keeps at most.</param>
/// <param name="MaxHalfOpen">Dials in progress at most.</param>
/// <param name="OwnPeerId">Our peer id (a connection to it is one to ourselves).</param>
/// <param name="IsOwnEndPoint">Whether an address is where we listen.</param>
internal sealed record RosterSettings(int MaxConnections, int MaxHalfOpen, PeerId OwnPeerId, Func<IPEndPoint, bool> IsOwnEndPoint);

/// <summary>The connected peers, for the parts that act on all of them (enumerated without allocating).</summary>
internal interface IConnectedPeers
{
    Dictionary<int, PeerState>.ValueCollection Connected { get; }

    bool TryGet(int id, out PeerState peer);

    /// <summary>Bans the peer for this session and closes its connection.</summary>
    void Ban(PeerState peer, string reason);
}

/// <summary>Starts a dial (and, when it connects, the connection's threads); the result reaches the loop as an event.</summary>
internal interface IPeerDialer
{
    void Dial(IPEndPoint endPoint);
}

/// <summary>The session's bound on connections across its torrents.</summary>
internal interface IConnectionBudget
{
    /// <summary>Takes a connection slot; false when the session is full.</summary>
    bool TryAcquire();

    void Release();
}
