using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Who a torrent talks to: the addresses it knows from every source (with what became of each dial), the dials in
/// progress, the connected peers, and who is banned or backed off for misbehaving. It decides whom to dial, whether a new
/// connection is kept (and which idle one gives way to it when the slots are full), and when an idle connection ends.
/// A peer is its address: the ip and listen port of a peer we dialled or that told us its port, else the connection's
/// address. Its peer id is only a claim (anyone can copy one), so bans and the duplicate check key on the address; a
/// second connection claiming a connected peer's id from another address is another peer. The dial itself is the
/// <see cref="IPeerDialer"/>'s. Owned by the loop.
/// </summary>
internal sealed class PeerRoster : IConnectedPeers
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(90);

    private readonly Dictionary<int, PeerState> _connected = new();
    private readonly Dictionary<int, Member> _members = new();
    private readonly Dictionary<IPEndPoint, int> _byAddress = new();
    private readonly PeerSet _candidates;
    private readonly HashSet<(IPAddress, PeerId)> _bannedClaims = new();
    private readonly Dictionary<(IPAddress, PeerId), Offence> _offences = new();
    private readonly IPeerDialer _dialer;
    private readonly IConnectionBudget _budget;
    private readonly PeerOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogRateLimiter _logLimit;
    private readonly string _name;
    private readonly RosterSettings _settings;
    private readonly Action<string> _noteError;
    private int _connecting;
    private int _evicting;
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
        _logLimit = new LogRateLimiter(time);
        _candidates = new PeerSet(time.TimestampFrequency, settings.MaxKnown, settings.MaxWaiting);
    }

    public Dictionary<int, PeerState>.ValueCollection Connected => _connected.Values;

    public int ConnectedCount => _connected.Count;

    /// <summary>Addresses known, connected or not (those waiting for a place among the candidates too).</summary>
    public int KnownCount => _candidates.Count + _candidates.Waiting;

    /// <summary>Dials in progress.</summary>
    public int Connecting => _connecting;

    /// <summary>Addresses we dialled at least once.</summary>
    public int TriedCount => _candidates.Tried;

    /// <summary>The addresses and what became of them (tests look).</summary>
    internal PeerSet Candidates => _candidates;

    public bool TryGet(int id, out PeerState peer) => _connected.TryGetValue(id, out peer!);

    /// <summary>Adds addresses from any source (our own and banned ones are skipped); returns how many were taken (candidates or waiting).</summary>
    public int Add(IReadOnlyList<TorrentPeer> peers)
    {
        var before = _candidates.Accepted;
        var now = _time.GetTimestamp();
        foreach (var peer in peers)
        {
            var endPoint = peer.IPEndPoint;
            if (!_settings.IsOwnEndPoint(endPoint))
            {
                var accepted = _candidates.Accepted;
                _candidates.Add(endPoint, peer.Source, now);
                if (_candidates.Accepted > accepted)
                {
                    CountFound(peer.Source);
                }
            }
        }

        var added = _candidates.Accepted - before;
        if (added > 0)
        {
            _logger.LogDebug("{Torrent}: {Count} new peer addresses ({Known} known, {Waiting} of them waiting for a place)", _name, added, KnownCount, _candidates.Waiting);
        }

        return added;
    }

    /// <summary>An address given by the user or the magnet link.</summary>
    public void Add(IPEndPoint endPoint, PeerSource source) => _candidates.Add(endPoint, source, _time.GetTimestamp());

    /// <summary>New addresses each source named so far (indexed by <see cref="PeerSource"/>): where this torrent's peers come from.</summary>
    public PeerSourceCounts Found => _found;

    private PeerSourceCounts _found = new();

    private void CountFound(PeerSource source)
    {
        _found = source switch
        {
            PeerSource.Tracker => _found with { Trackers = _found.Trackers + 1 },
            PeerSource.Dht => _found with { Dht = _found.Dht + 1 },
            PeerSource.Pex => _found with { Pex = _found.Pex + 1 },
            PeerSource.Local => _found with { Local = _found.Local + 1 },
            _ => _found,
        };
    }

    /// <summary>
    /// Dials candidates while there is room: the connection limit, and a bound on dials in progress. While no connected
    /// peer delivers, more dials run at once (<see cref="RosterSettings.HurriedHalfOpen"/>) and a first dial gives up on a
    /// silent peer sooner (<see cref="RosterSettings.HurriedHandshakeTimeout"/>; a retry waits the full time). A seed
    /// dials too: peers that never dial out (transmission ignores every loopback address a tracker names) are reached only so.
    /// </summary>
    public void DialMore()
    {
        var hurried = !AnyDelivers();
        var halfOpen = hurried ? Math.Max(_settings.MaxHalfOpen, _settings.HurriedHalfOpen) : _settings.MaxHalfOpen;
        var room = Math.Min(_settings.MaxConnections - Kept - _connecting, halfOpen - _connecting);
        var slots = 0;
        while (slots < room && _budget.TryAcquire())
        {
            slots++;
        }

        var dial = _candidates.ToDial(_time.GetTimestamp(), slots);
        for (var unused = slots - dial.Count; unused > 0; unused--)
        {
            _budget.Release();
        }

        foreach (var candidate in dial)
        {
            candidate.State = PeerCandidateState.Connecting;
            _connecting++;
            _dialer.Dial(candidate.EndPoint, hurried && candidate.Failures == 0 ? _settings.HurriedHandshakeTimeout : null);
        }
    }

    /// <summary>A dial or handshake we started failed: back off from that address (or let a waiting address take its place).</summary>
    public void ConnectFailed(IPEndPoint endPoint, string reason)
    {
        _connecting--;
        _budget.Release();
        _noteError($"peer {endPoint}: {reason}");
        if (_logLimit.ShouldLog("dial failed", out var leftOut))
        {
            _logger.LogDebug("{Torrent}: dialling {Peer} failed: {Reason}{LeftOut}", _name, endPoint, reason, LogRateLimiter.Note(leftOut));
        }

        if (_candidates.Get(endPoint) is { } candidate)
        {
            _candidates.Failed(candidate, _time.GetTimestamp(), reason);
        }
    }

    /// <summary>
    /// A connection finished its handshake: kept (returned) or closed with the reason it was refused. When the torrent's
    /// (or the session's) connections are all taken, the least useful idle connection gives way (see
    /// <see cref="FindIdlest"/>); if none is idle, the new one is refused.
    /// </summary>
    public PeerState? Admit(IPeerLink link, bool stopping)
    {
        var now = _time.GetTimestamp();
        var address = PeerSet.Normalize(link.EndPoint);
        var candidate = link.IsOutgoing ? _candidates.Get(address) : null;
        if (link.IsOutgoing)
        {
            _connecting--;
        }

        // An outgoing connection took its session slot when the dial started; an incoming one takes it now.
        var holdsSlot = link.IsOutgoing;
        var refusal = stopping ? "the torrent is stopping"
            : link.PeerId.Equals(_settings.OwnPeerId) ? RefusalSelf
            : IsBanned(address, link) ? RefusalBanned
            : Penalty(link, now) ?? Duplicate(link, address);
        if (refusal is null)
        {
            holdsSlot = link.IsOutgoing || _budget.TryAcquire();
            if (!holdsSlot || Kept >= _settings.MaxConnections)
            {
                if (FindIdlest(now) is { } idlest)
                {
                    GiveWay(idlest, handOverSlot: !holdsSlot, now);
                    holdsSlot = true;
                }
                else
                {
                    refusal = holdsSlot ? RefusalLimit : RefusalBudget;
                }
            }
        }

        if (refusal is not null)
        {
            if (_logLimit.ShouldLog("refused", out var leftOut))
            {
                _logger.LogDebug("{Torrent}: dropping {Peer}: {Reason}{LeftOut}", _name, link.EndPoint, refusal, LogRateLimiter.Note(leftOut));
            }

            if (candidate is not null)
            {
                if (refusal == RefusalSelf)
                {
                    _candidates.Ban(candidate, refusal);
                }
                else if (_byAddress.TryGetValue(address, out var other) && _members.TryGetValue(other, out var connected))
                {
                    // Connected already (it dialled us and told us its port): not a failure of the address.
                    candidate.State = PeerCandidateState.Connected;
                    connected.Candidate ??= candidate;
                }
                else
                {
                    // Not left connecting for ever: dialled again after the back-off (say when the other connection ends).
                    _candidates.Failed(candidate, now, refusal);
                }
            }

            if (holdsSlot)
            {
                _budget.Release();
            }

            link.Close(refusal);
            return null;
        }

        var peer = new PeerState(link, now, RateWindow);
        _connected.Add(link.Id, peer);
        _members.Add(link.Id, new Member(address, candidate, now));
        _byAddress[address] = link.Id;
        if (candidate is not null)
        {
            candidate.State = PeerCandidateState.Connected;
        }

        _logger.LogDebug("{Torrent}: connected to {Peer} ({Direction})", _name, peer, link.IsOutgoing ? "outgoing" : "incoming");
        return peer;
    }

    /// <summary>
    /// The peer's extension handshake came: a peer that dialled us and names its listen port is known by that address
    /// from now on (a banned address, or one connected already, ends this connection), and may be dialled later.
    /// </summary>
    public void OnExtensionHandshake(PeerState peer)
    {
        if (peer.Link.IsOutgoing || peer.Extensions?.ListenPort is not (> 0 and <= 65535) || !_members.TryGetValue(peer.Id, out var member))
        {
            return;
        }

        var listening = new IPEndPoint(member.Address.Address, peer.Extensions.ListenPort.Value);
        if (listening.Equals(member.Address))
        {
            return;
        }

        if (_candidates.IsBanned(listening))
        {
            peer.Link.Close(RefusalBanned);
            return;
        }

        if (_byAddress.TryGetValue(listening, out var other) && other != peer.Id)
        {
            peer.Link.Close($"already connected to this peer ({listening})");
            return;
        }

        _byAddress.Remove(member.Address);
        member.Address = listening;
        _byAddress[listening] = peer.Id;
        if (!_settings.IsOwnEndPoint(listening) && _candidates.Add(listening, PeerSource.Incoming, _time.GetTimestamp()) is { State: PeerCandidateState.Idle } candidate)
        {
            candidate.State = PeerCandidateState.Connected;
            member.Candidate = candidate;
        }
    }

    /// <summary>A connection ended: it leaves the roster (returned, for the other parts to forget), its address backs off.</summary>
    public PeerState? Remove(IPeerLink link, string reason, bool stopping, bool seeding = false)
    {
        _uploadedByClosed += link.UploadedBytes;
        if (!_connected.Remove(link.Id, out var peer) || !_members.Remove(link.Id, out var member))
        {
            return null;
        }

        if (member.GaveWay)
        {
            _evicting--;
        }

        if (!member.SlotHandedOver)
        {
            _budget.Release();
        }

        if (_byAddress.TryGetValue(member.Address, out var id) && id == link.Id)
        {
            _byAddress.Remove(member.Address);
        }

        _outbox.Forget(peer);
        var now = _time.GetTimestamp();
        var offence = member.Offence ?? (peer.UnexpectedBlocks > RequestScheduler.MaxUnexpectedBlocks ? reason : null);
        if (offence is not null && !stopping)
        {
            Punish(peer, member, offence, now);
        }
        else if (member.Candidate is { } candidate)
        {
            if (seeding && peer.IsSeed)
            {
                _candidates.Redundant(candidate, now, reason);
            }
            else if (link.DownloadedBytes > 0 || link.UploadedBytes > 0)
            {
                _candidates.Disconnected(candidate, now, reason);
            }
            else
            {
                _candidates.Failed(candidate, now, reason);
            }
        }

        if (_logLimit.ShouldLog("left", out var leftOut))
        {
            _logger.LogDebug("{Torrent}: {Peer} left: {Reason}{LeftOut}", _name, peer, reason, LogRateLimiter.Note(leftOut));
        }

        if (!stopping)
        {
            _noteError($"peer {link.EndPoint}: {reason}");
        }

        return peer;
    }

    /// <summary>Bans the peer for this session (its address, and its peer id from its ip) and closes its connection.</summary>
    public void Ban(PeerState peer, string reason)
    {
        _logger.LogWarning("{Torrent}: banning peer {Peer} for this session: {Reason}", _name, peer, reason);
        if (_members.TryGetValue(peer.Id, out var member))
        {
            if (member.Candidate is { } candidate)
            {
                _candidates.Ban(candidate, reason);
            }

            _candidates.Ban(member.Address);
        }

        BanClaim(peer.Link);
        peer.Link.Close(reason);
    }

    /// <summary>Closes the peer's connection for misbehaving: its address is not dialled (nor let in) again soon, and is banned after repeats.</summary>
    public void Drop(PeerState peer, string reason)
    {
        if (_members.TryGetValue(peer.Id, out var member))
        {
            member.Offence ??= reason;
        }

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

    /// <summary>
    /// The clock: each peer's rates sampled, a keep-alive to peers we have not written to for a while, and a connection
    /// that is of no use to either side (see <see cref="IsWanted"/>) and said nothing for
    /// <see cref="RosterSettings.IdleTimeout"/> is closed (keep-alives are not talk).
    /// </summary>
    public void Tick(long now)
    {
        var frequency = _time.TimestampFrequency;
        List<PeerState>? idle = null;
        foreach (var peer in _connected.Values)
        {
            peer.DownloadRate.Sample(peer.Link.DownloadedBytes, now, frequency);
            peer.UploadRate.Sample(peer.Link.UploadedBytes, now, frequency);
            if (_time.GetElapsedTime(peer.LastSentAt, now) > KeepAliveInterval)
            {
                _outbox.Send(peer, new OutgoingMessage(PeerMessageType.KeepAlive));
                peer.LastSentAt = now;
            }

            var member = _members[peer.Id];
            if (peer.Link.DownloadedBytes != member.Downloaded || peer.Link.UploadedBytes != member.Uploaded)
            {
                member.Downloaded = peer.Link.DownloadedBytes;
                member.Uploaded = peer.Link.UploadedBytes;
                member.LastTransferAt = now;
                member.Transferred = true;
            }

            if (!member.GaveWay && !IsWanted(peer) && _time.GetElapsedTime(QuietSince(peer, member), now) > _settings.IdleTimeout)
            {
                (idle ??= new List<PeerState>()).Add(peer);
            }
        }

        if (idle is null)
        {
            return;
        }

        foreach (var peer in idle)
        {
            var reason = $"idle: no use to either side for {_settings.IdleTimeout.TotalSeconds:0} s";
            if (_logLimit.ShouldLog("idle", out var leftOut))
            {
                _logger.LogDebug("{Torrent}: closing {Peer}: {Reason}{LeftOut}", _name, peer, reason, LogRateLimiter.Note(leftOut));
            }

            peer.Link.Close(reason);
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
    private const string RefusalLimit = "the torrent's connection limit is reached";
    private const string RefusalSelf = "it is ourselves";
    private const string RefusalBanned = "it is banned for sending bad data";

    private long RateWindow => 5 * _time.TimestampFrequency;

    /// <summary>Connections that count against the limit (not those closing to make room).</summary>
    private int Kept => _connected.Count - _evicting;

    /// <summary>
    /// A peer is wanted while it has pieces we want, or asks for ours and is waiting for a slot or uses the one it has.
    /// An unchoked peer that takes nothing is not (a slot it holds is wasted).
    /// </summary>
    private bool IsWanted(PeerState peer)
        => peer.Interesting > 0 || (peer.PeerInterested && peer.AmChoking);

    /// <summary>Since when the peer has said nothing (but keep-alives) and no block went either way.</summary>
    private static long QuietSince(PeerState peer, Member member) => Math.Max(member.LastTransferAt, peer.LastActivityAt);

    private bool AnyDelivers()
    {
        foreach (var peer in _connected.Values)
        {
            if (peer.Link.DownloadedBytes > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The connection to drop for a newcomer when the slots are full, least useful first: one that said nothing at all
    /// since its handshake (keep-alives are not talk) for <see cref="RosterSettings.SilentTrialPeriod"/>; then one past its
    /// trial (<see cref="RosterSettings.TrialPeriod"/>) not interested in us; then one interested but quiet for
    /// <see cref="RosterSettings.IdleTimeout"/>; among equals the longest quiet. Never one with pieces we want, nor one a
    /// block went to or from within the trial. Null when every connection is of use.
    /// </summary>
    private PeerState? FindIdlest(long now)
    {
        PeerState? idlest = null;
        var idlestRank = int.MaxValue;
        var idlestSince = long.MaxValue;
        foreach (var peer in _connected.Values)
        {
            var member = _members[peer.Id];
            var silent = peer.LastActivityAt == peer.ConnectedAt && !member.Transferred;
            if (member.GaveWay || peer.Interesting > 0
                || _time.GetElapsedTime(peer.ConnectedAt, now) < (silent ? _settings.SilentTrialPeriod : _settings.TrialPeriod)
                || (member.Transferred && _time.GetElapsedTime(member.LastTransferAt, now) < _settings.TrialPeriod))
            {
                continue;
            }

            var quietSince = QuietSince(peer, member);
            var rank = silent ? 0 : !peer.PeerInterested ? 1 : _time.GetElapsedTime(quietSince, now) >= _settings.IdleTimeout ? 2 : int.MaxValue;
            if (rank < idlestRank || (rank == idlestRank && quietSince < idlestSince))
            {
                (idlest, idlestRank, idlestSince) = (peer, rank, quietSince);
            }
        }

        return idlestRank == int.MaxValue ? null : idlest;
    }

    /// <summary>Closes an idle connection for a newcomer; until it is gone it does not count against the limit (and its session slot may go to the newcomer).</summary>
    private void GiveWay(PeerState peer, bool handOverSlot, long now)
    {
        var member = _members[peer.Id];
        member.GaveWay = true;
        member.SlotHandedOver = handOverSlot;
        _evicting++;
        var quiet = _time.GetElapsedTime(QuietSince(peer, member), now);
        var reason = $"made room for a new peer: of no use for {quiet.TotalSeconds:0} s";
        if (_logLimit.ShouldLog("gave way", out var leftOut))
        {
            _logger.LogDebug("{Torrent}: closing {Peer}: {Reason}{LeftOut}", _name, peer, reason, LogRateLimiter.Note(leftOut));
        }

        peer.Link.Close(reason);
    }

    private bool IsBanned(IPEndPoint address, IPeerLink link)
        => _candidates.IsBanned(address) || _bannedClaims.Contains((address.Address, link.PeerId));

    private void BanClaim(IPeerLink link)
    {
        if (_bannedClaims.Count < MaxRemembered)
        {
            _bannedClaims.Add((PeerSet.Normalize(link.EndPoint).Address, link.PeerId));
        }
    }

    /// <summary>A peer that dialled us and misbehaved before (same ip, same peer id) is refused until its back-off ends.</summary>
    private string? Penalty(IPeerLink link, long now)
    {
        if (link.IsOutgoing || !_offences.TryGetValue((PeerSet.Normalize(link.EndPoint).Address, link.PeerId), out var offence) || now >= offence.Until)
        {
            return null;
        }

        return $"it misbehaved {offence.Count} time(s) ({offence.Reason}); let in again in {_time.GetElapsedTime(now, offence.Until).TotalSeconds:0} s";
    }

    /// <summary>Another connection from the same address, or the same peer id from the same ip, is this peer again.</summary>
    private string? Duplicate(IPeerLink link, IPEndPoint address)
    {
        if (_byAddress.ContainsKey(address))
        {
            return $"already connected to this peer ({address})";
        }

        foreach (var peer in _connected.Values)
        {
            if (!peer.Link.PeerId.Equals(link.PeerId))
            {
                continue;
            }

            if (PeerSet.Normalize(peer.Link.EndPoint).Address.Equals(address.Address))
            {
                return "already connected to this peer (same ip, same peer id)";
            }

            if (_logLimit.ShouldLog("copied id", out var leftOut))
            {
                _logger.LogInformation("{Torrent}: {Peer} claims the peer id of {Other}, connected from another address; it is another peer{LeftOut}", _name, link.EndPoint, peer, LogRateLimiter.Note(leftOut));
            }

            break;
        }

        return null;
    }

    /// <summary>The connection was closed for misbehaving: the address backs off hard, and repeats ban it.</summary>
    private void Punish(PeerState peer, Member member, string offence, long now)
    {
        bool banned;
        TimeSpan wait;
        if (member.Candidate is { } candidate)
        {
            banned = _candidates.Misbehaved(candidate, now, offence);
            wait = _time.GetElapsedTime(now, candidate.RetryAt);
            if (banned)
            {
                BanClaim(peer.Link);
            }
        }
        else
        {
            var key = (PeerSet.Normalize(peer.Link.EndPoint).Address, peer.Link.PeerId);
            var count = _offences.TryGetValue(key, out var earlier) ? earlier.Count + 1 : 1;
            wait = _candidates.OffenceDelay * Math.Pow(2, count - 1);
            banned = count >= _candidates.BanOffences;
            if (banned)
            {
                _offences.Remove(key);
                BanClaim(peer.Link);
                _candidates.Ban(member.Address);
            }
            else if (_offences.Count < MaxRemembered || _offences.ContainsKey(key))
            {
                _offences[key] = new Offence(count, now + (long)(wait.TotalSeconds * _time.TimestampFrequency), offence);
            }
        }

        if (_logLimit.ShouldLog("offence", out var leftOut))
        {
            if (banned)
            {
                _logger.LogWarning("{Torrent}: banning peer {Peer} for this session: it misbehaved again ({Reason}){LeftOut}", _name, peer, offence, LogRateLimiter.Note(leftOut));
            }
            else
            {
                _logger.LogInformation("{Torrent}: {Peer} was closed for misbehaving ({Reason}); not connected again for {Wait:0} s{LeftOut}", _name, peer, offence, wait.TotalSeconds, LogRateLimiter.Note(leftOut));
            }
        }
    }

    /// <summary>Offenders and banned claims remembered at most.</summary>
    private const int MaxRemembered = 10_000;

    /// <summary>The roster's own account of one connection.</summary>
    private sealed class Member(IPEndPoint address, PeerCandidate? candidate, long now)
    {
        /// <summary>Who the peer is: the address dialled, its listen address once it told us, else the connection's.</summary>
        public IPEndPoint Address { get; set; } = address;

        /// <summary>The candidate this connection is (dialled, or an incoming peer's listen address).</summary>
        public PeerCandidate? Candidate { get; set; } = candidate;

        /// <summary>When a block last went either way (seen at a tick; the admission until one did).</summary>
        public long LastTransferAt { get; set; } = now;

        /// <summary>A block went either way at least once.</summary>
        public bool Transferred { get; set; }

        public long Downloaded { get; set; }

        public long Uploaded { get; set; }

        /// <summary>Why it was closed for misbehaving, if it was.</summary>
        public string? Offence { get; set; }

        /// <summary>Closed to make room for a newcomer: no longer counted against the limit.</summary>
        public bool GaveWay { get; set; }

        /// <summary>Its session slot went to the newcomer (not given back when it leaves).</summary>
        public bool SlotHandedOver { get; set; }
    }

    private readonly record struct Offence(int Count, long Until, string Reason);
}

/// <summary>The roster's limits and who we are.</summary>
/// <param name="MaxConnections">Connections this torrent keeps at most.</param>
/// <param name="MaxHalfOpen">Dials in progress at most.</param>
/// <param name="OwnPeerId">Our peer id (a connection to it is one to ourselves).</param>
/// <param name="IsOwnEndPoint">Whether an address is where we listen.</param>
internal sealed record RosterSettings(int MaxConnections, int MaxHalfOpen, PeerId OwnPeerId, Func<IPEndPoint, bool> IsOwnEndPoint)
{
    /// <summary>A connection of no use to either side that said nothing for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A new connection is not dropped to make room for another before it had this long to show what it wants.</summary>
    public TimeSpan TrialPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The trial of a connection that says nothing at all after its handshake (honest peers send their bitfield or
    /// extension handshake at once): past it, it is the first to make room.
    /// </summary>
    public TimeSpan SilentTrialPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Dials in progress at most while no connected peer delivers (the connection limit bounds them too).</summary>
    public int HurriedHalfOpen { get; init; } = 64;

    /// <summary>How long a first dial waits for a silent peer's answer while no connected peer delivers.</summary>
    public TimeSpan HurriedHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Candidates kept with their history at most (see <see cref="PeerSet"/>).</summary>
    public int MaxKnown { get; init; } = 2000;

    /// <summary>Addresses waiting for a candidate's place at most.</summary>
    public int MaxWaiting { get; init; } = 10_000;
}

/// <summary>The connected peers, for the parts that act on all of them (enumerated without allocating).</summary>
internal interface IConnectedPeers
{
    Dictionary<int, PeerState>.ValueCollection Connected { get; }

    bool TryGet(int id, out PeerState peer);

    /// <summary>Bans the peer for this session and closes its connection.</summary>
    void Ban(PeerState peer, string reason);

    /// <summary>Closes the peer's connection for misbehaving: not connected again soon, banned after repeats.</summary>
    void Drop(PeerState peer, string reason);
}

/// <summary>Starts a dial (and, when it connects, the connection's threads); the result reaches the loop as an event.</summary>
internal interface IPeerDialer
{
    /// <param name="endPoint">Whom to dial.</param>
    /// <param name="handshakeTimeout">A shorter wait for the connection and the handshake than the torrent's, or null for its own.</param>
    void Dial(IPEndPoint endPoint, TimeSpan? handshakeTimeout = null);
}

/// <summary>The session's bound on connections across its torrents.</summary>
internal interface IConnectionBudget
{
    /// <summary>Takes a connection slot; false when the session is full.</summary>
    bool TryAcquire();

    void Release();
}
