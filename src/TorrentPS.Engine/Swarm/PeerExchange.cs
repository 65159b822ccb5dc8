using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Peer exchange (BEP 11, ut_pex) for one torrent: what to tell each connected peer about our other peers, and which
/// addresses to take from what they tell us. Owned by the torrent's loop (no locks, no threads, no timers: the loop
/// reports connections as they change, calls <see cref="TakeDue"/> on its tick and <see cref="Receive"/> for each ut_pex
/// message). Private torrents (BEP 27) have none: the loop does not create one for them.
/// <para>
/// Sending: a peer hears of the peers we are connected to and can be dialled (those we dialled, and those that dialled
/// us and said their listen port), never of itself; the first message holds the current set, each later one the
/// difference since the last message sent to that peer, at most 50 added and 50 dropped (the rest waits for the next
/// one), at most one message a minute, and none when nothing changed (some clients take an empty message for an error).
/// </para>
/// <para>
/// Taking: each message yields at most <see cref="PeerExchangeOptions.MaxTakenPerMessage"/> candidates, each peer at
/// most a refilling budget of them; addresses already reported (from any peer), our own, the sender's, those of peers
/// we are connected to, and addresses nobody can dial are left out; local addresses (loopback, private ranges) only when
/// the sender is itself local, so a remote peer cannot point us at our own network. A peer that sends many more messages
/// than one a minute is reported as flooding.
/// </para>
/// </summary>
internal sealed class PeerExchange
{
    private readonly TimeProvider _time;
    private readonly PeerExchangeOptions _options;
    private readonly Dictionary<int, Peer> _peers = new();
    private readonly HashSet<IPEndPoint> _own = new();
    private readonly HashSet<IPEndPoint> _reported = new();
    private readonly Queue<IPEndPoint> _reportedOrder = new();

    /// <summary>Each dialable connected peer once, with the flags we tell others (rebuilt when <see cref="_dirty"/>).</summary>
    private readonly Dictionary<IPEndPoint, PexPeerFlags> _advertised = new();

    private readonly List<PexPeer> _added = new();
    private readonly List<IPEndPoint> _dropped = new();
    private readonly long _interval;
    private readonly long _floodWindow;
    private bool _dirty;

    /// <summary>Bumped whenever the set of advertised addresses changes: a peer told about this version has nothing new.</summary>
    private long _version = 1;

    public PeerExchange(TimeProvider time, PeerExchangeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _options = options ?? PeerExchangeOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAddedPerMessage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxAddedPerMessage, UtPexMessage.MaxAdded);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDroppedPerMessage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxDroppedPerMessage, UtPexMessage.MaxDropped);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxMessagesPerWindow, 1);
        _interval = ToTicks(_options.Interval);
        _floodWindow = ToTicks(_options.FloodWindow);
    }

    /// <summary>How many connections the exchange knows.</summary>
    public int Count => _peers.Count;

    /// <summary>
    /// An address at which peers reach us (our listen endpoint as a peer would list it: the bound or reported address
    /// with our listen port): never sent, never taken. Bounded; the oldest is not evicted, later ones are ignored.
    /// </summary>
    public void AddOwnEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (_own.Count < _options.MaxOwnEndPoints && _own.Add(Normalize(endPoint)))
        {
            _dirty = true;
            _version++;
        }
    }

    /// <summary>A connection finished its handshake. <paramref name="outgoing"/>: we dialled it, so its address accepts connections.</summary>
    public void Connected(int peerId, IPEndPoint remote, bool outgoing)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _peers[peerId] = new Peer(Normalize(remote), outgoing, _options.MaxTakenPerPeer, _time.GetTimestamp(), _options.MaxMessagesPerWindow);
        _dirty = true;
        _version++;
    }

    /// <summary>The peer's extension handshake (BEP 10) arrived (again): its listen port, its ut_pex id, whether it only uploads.</summary>
    public void ExtensionHandshakeReceived(int peerId, ExtensionHandshake handshake)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        if (!_peers.TryGetValue(peerId, out var peer))
        {
            return;
        }

        peer.UtPexId = handshake.GetMessageId(ExtensionHandshake.UtPex);
        peer.Holepunch = handshake.GetMessageId("ut_holepunch") is not null;
        peer.UploadOnly = handshake.UploadOnly;
        if (handshake.ListenPort is { } port && port != peer.ListenPort)
        {
            peer.ListenPort = port;
            _version++;
        }

        _dirty = true;
    }

    /// <summary>The peer turned out to have every piece (or lost that): the seed flag we tell others.</summary>
    public void SeedChanged(int peerId, bool isSeed)
    {
        if (_peers.TryGetValue(peerId, out var peer) && peer.Seed != isSeed)
        {
            peer.Seed = isSeed;
            _dirty = true;
        }
    }

    /// <summary>The connection closed: others hear of it in their next message's <c>dropped</c>.</summary>
    public void Closed(int peerId)
    {
        if (_peers.Remove(peerId))
        {
            _dirty = true;
            _version++;
        }
    }

    /// <summary>Adds to <paramref name="due"/> the messages due now: one per peer that supports ut_pex, has not had one for a minute, and has something new to hear.</summary>
    public void TakeDue(List<PexOutgoing> due)
    {
        ArgumentNullException.ThrowIfNull(due);
        var now = _time.GetTimestamp();
        Rebuild();
        foreach (var (id, peer) in _peers)
        {
            if (peer.UtPexId is not { } extendedId || peer.ToldVersion == _version || now < peer.NextSendAt)
            {
                continue;
            }

            var complete = Diff(peer);
            if (complete)
            {
                peer.ToldVersion = _version;
            }

            if (_added.Count == 0 && _dropped.Count == 0)
            {
                continue;
            }

            foreach (var added in _added)
            {
                peer.Told.Add(added.EndPoint);
            }

            foreach (var dropped in _dropped)
            {
                peer.Told.Remove(dropped);
            }

            due.Add(new PexOutgoing(id, extendedId, new UtPexMessage(_added.ToArray(), _dropped.ToArray()).ToArray()));
            peer.NextSendAt = now + _interval;
        }
    }

    /// <summary>
    /// Takes one ut_pex message (the body of the extended message) from <paramref name="peerId"/>: adds the candidates
    /// worth dialling to <paramref name="candidates"/> and says whether the peer misbehaved.
    /// </summary>
    public PexIntake Receive(int peerId, ReadOnlyMemory<byte> body, List<PexPeer> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (!_peers.TryGetValue(peerId, out var peer))
        {
            return new PexIntake(PexVerdict.UnknownPeer, 0);
        }

        var now = _time.GetTimestamp();
        if (!peer.RecordArrival(now, _floodWindow))
        {
            return new PexIntake(PexVerdict.Flooding, 0, $"sent more than {_options.MaxMessagesPerWindow} ut_pex messages within {_options.FloodWindow.TotalSeconds:0} s");
        }

        UtPexMessage message;
        try
        {
            message = UtPexMessage.Decode(body);
        }
        catch (PeerProtocolException ex)
        {
            return new PexIntake(PexVerdict.Malformed, 0, ex.Reason);
        }

        Rebuild();
        peer.Refill(now, _options.MaxTakenPerPeer, _options.TakenPerPeerPerMinute, _time.TimestampFrequency);
        var senderIsLocal = IsLocal(peer.Remote.Address);
        var taken = 0;
        foreach (var offered in message.Added)
        {
            if (taken >= _options.MaxTakenPerMessage || peer.Budget < 1)
            {
                break;
            }

            var endPoint = Normalize(offered.EndPoint);
            if (!IsDialable(endPoint)
                || (!senderIsLocal && IsLocal(endPoint.Address))
                || _own.Contains(endPoint)
                || endPoint.Equals(peer.Remote) || endPoint.Equals(peer.Advertised)
                || _advertised.ContainsKey(endPoint) || IsConnected(endPoint)
                || !Remember(endPoint))
            {
                continue;
            }

            candidates.Add(new PexPeer(endPoint, offered.Flags));
            peer.Budget--;
            taken++;
        }

        return new PexIntake(PexVerdict.Accepted, taken);
    }

    /// <summary>Fills <see cref="_added"/> and <see cref="_dropped"/> for <paramref name="peer"/>; false when some had to wait for the next message.</summary>
    private bool Diff(Peer peer)
    {
        _added.Clear();
        _dropped.Clear();
        var complete = true;
        var self = peer.Advertised;
        foreach (var (endPoint, flags) in _advertised)
        {
            if (peer.Told.Contains(endPoint) || endPoint.Equals(peer.Remote) || endPoint.Equals(self))
            {
                continue;
            }

            if (_added.Count == _options.MaxAddedPerMessage)
            {
                complete = false;
                break;
            }

            _added.Add(new PexPeer(endPoint, flags));
        }

        foreach (var endPoint in peer.Told)
        {
            if (_advertised.ContainsKey(endPoint))
            {
                continue;
            }

            if (_dropped.Count == _options.MaxDroppedPerMessage)
            {
                complete = false;
                break;
            }

            _dropped.Add(endPoint);
        }

        return complete;
    }

    private void Rebuild()
    {
        if (!_dirty)
        {
            return;
        }

        _advertised.Clear();
        foreach (var peer in _peers.Values)
        {
            if (peer.Advertised is { } endPoint && IsDialable(endPoint) && !_own.Contains(endPoint))
            {
                var flags = (peer.Outgoing ? PexPeerFlags.Reachable : PexPeerFlags.None)
                            | (peer.Seed || peer.UploadOnly ? PexPeerFlags.Seed : PexPeerFlags.None)
                            | (peer.Holepunch ? PexPeerFlags.SupportsHolepunch : PexPeerFlags.None);
                _advertised[endPoint] = _advertised.GetValueOrDefault(endPoint) | flags;
            }
        }

        _dirty = false;
    }

    private bool IsConnected(IPEndPoint endPoint)
    {
        foreach (var peer in _peers.Values)
        {
            if (endPoint.Equals(peer.Remote))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Remembers a reported address (the oldest forgotten past the bound); false when it was reported before.</summary>
    private bool Remember(IPEndPoint endPoint)
    {
        if (!_reported.Add(endPoint))
        {
            return false;
        }

        _reportedOrder.Enqueue(endPoint);
        while (_reportedOrder.Count > _options.MaxRemembered)
        {
            _reported.Remove(_reportedOrder.Dequeue());
        }

        return true;
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static IPEndPoint Normalize(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    /// <summary>An address a peer could be listening at: a unicast address and a port.</summary>
    internal static bool IsDialable(IPEndPoint endPoint)
    {
        if (endPoint.Port == 0)
        {
            return false;
        }

        var address = endPoint.Address;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] != 0 && b[0] < 224; // not 0.0.0.0/8, multicast, reserved or broadcast
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
               && !address.Equals(IPAddress.IPv6Any) && !address.IsIPv6Multicast;
    }

    /// <summary>Loopback, private, link-local or unique-local: addresses that mean something only near us.</summary>
    internal static bool IsLocal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (v6[0] & 0xFE) == 0xFC;
    }

    /// <summary>One connection as the exchange sees it.</summary>
    private sealed class Peer(IPEndPoint remote, bool outgoing, int budget, long now, int maxMessagesPerWindow)
    {
        private readonly long[] _arrivals = new long[maxMessagesPerWindow];
        private int _arrivalCount;
        private int _nextArrival;

        public IPEndPoint Remote { get; } = remote;

        public bool Outgoing { get; } = outgoing;

        public int? ListenPort { get; set; }

        public byte? UtPexId { get; set; }

        public bool Seed { get; set; }

        public bool UploadOnly { get; set; }

        public bool Holepunch { get; set; }

        /// <summary>Where it accepts connections: the address we dialled, or its address with the port it said; null when unknown.</summary>
        public IPEndPoint? Advertised => Outgoing ? Remote : ListenPort is { } port ? new IPEndPoint(Remote.Address, port) : null;

        /// <summary>The addresses this peer was told are in our set (added and not dropped since).</summary>
        public HashSet<IPEndPoint> Told { get; } = new();

        /// <summary>The version of our set this peer has heard all of.</summary>
        public long ToldVersion { get; set; }

        public long NextSendAt { get; set; }

        /// <summary>How many more candidates it may give us now.</summary>
        public double Budget { get; set; } = budget;

        private long BudgetAt { get; set; } = now;

        /// <summary>Notes a message's arrival; false when it is one too many for the window.</summary>
        public bool RecordArrival(long now, long window)
        {
            if (_arrivalCount == _arrivals.Length && now - _arrivals[_nextArrival] < window)
            {
                return false;
            }

            _arrivals[_nextArrival] = now;
            _nextArrival = (_nextArrival + 1) % _arrivals.Length;
            _arrivalCount = Math.Min(_arrivalCount + 1, _arrivals.Length);
            return true;
        }

        public void Refill(long now, int max, int perMinute, long frequency)
        {
            var minutes = (now - BudgetAt) / (double)frequency / 60;
            Budget = Math.Min(max, Budget + (minutes * perMinute));
            BudgetAt = now;
        }
    }
}
