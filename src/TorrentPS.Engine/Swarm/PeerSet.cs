using System.Net;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The peers a torrent knows of and what it did with each, bounded whatever the sources say. At most
/// <see cref="MaxKnown"/> candidates are kept with their history (never two connections to one address, failed dials
/// retried with exponential back-off, banned addresses never again in the session); addresses that arrive while the
/// candidates are full wait in a reserve of at most <see cref="MaxWaiting"/> (a newer address takes a random older
/// one's place, so what a source said last is always kept). While addresses wait, a candidate whose dial fails gives its
/// place to one of them at once, taken from each source in turn and at random within a source (one source's list, in
/// its order, never decides alone whom we try), and the failed address is not taken back from sources for a while.
/// So a tracker naming 100,000 dead peers and one seeder last gets the seeder tried. Owned by the loop; times are
/// <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class PeerSet
{
    private readonly Dictionary<IPEndPoint, PeerCandidate> _known = new();
    private readonly Queue<PeerCandidate> _fresh = new();
    private readonly Dictionary<PeerSource, List<IPEndPoint>> _waiting = new();
    private readonly HashSet<IPEndPoint> _waitingSet = new();
    private readonly Dictionary<IPEndPoint, long> _pruned = new();
    private readonly Queue<IPEndPoint> _prunedOrder = new();
    private readonly HashSet<IPEndPoint> _banned = new();
    private readonly Queue<IPEndPoint> _bannedOrder = new();
    private readonly Dictionary<IPAddress, int> _knownPerAddress = new();
    private readonly List<PeerSource> _sources = new();
    private readonly Random _random;
    private readonly long _frequency;
    private long _nextRetryAt = long.MaxValue;
    private int _sourceTurn;

    public PeerSet(long timestampFrequency, int maxKnown = 2000, int maxWaiting = 10_000, Random? random = null)
    {
        _frequency = timestampFrequency;
        MaxKnown = maxKnown;
        MaxWaiting = maxWaiting;
        _random = random ?? new Random();
    }

    /// <summary>Candidates kept with their history at most.</summary>
    public int MaxKnown { get; }

    /// <summary>Addresses waiting for a candidate's place at most.</summary>
    public int MaxWaiting { get; }

    /// <summary>Addresses banned at most (the oldest ban is forgotten first).</summary>
    public int MaxBanned { get; init; } = 10_000;

    /// <summary>Candidates (the addresses kept with their history).</summary>
    public int Count => _known.Count;

    /// <summary>Addresses waiting for a place among the candidates.</summary>
    public int Waiting => _waitingSet.Count;

    /// <summary>Addresses taken so far (as candidates or to wait): a counter, for telling how many of a batch were new.</summary>
    public int Accepted { get; private set; }

    /// <summary>Addresses dialled at least once in this run.</summary>
    public int Tried { get; private set; }

    public IEnumerable<PeerCandidate> All => _known.Values;

    /// <summary>The first wait after a failed dial; it doubles with each failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first wait after a connection closed for misbehaving; it doubles with each offence.</summary>
    public TimeSpan OffenceDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Offences that ban the address for the session.</summary>
    public int BanOffences { get; init; } = 3;

    /// <summary>How long an address that failed and gave its place away is not taken back from the sources.</summary>
    public TimeSpan PrunedFor { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Adds an address. A repeat returns the known candidate; a banned address is refused, and so (from trackers, DHT and
    /// PEX) is one pruned for failing not long ago. When the candidates are full the address waits (null is returned).
    /// </summary>
    public PeerCandidate? Add(IPEndPoint endPoint, PeerSource source, long now = 0)
    {
        endPoint = Normalize(endPoint);
        if (_known.TryGetValue(endPoint, out var known))
        {
            return known;
        }

        if (_banned.Contains(endPoint) || _waitingSet.Contains(endPoint))
        {
            return null;
        }

        var asked = IsAsked(source);
        if (!asked && _pruned.TryGetValue(endPoint, out var prunedAt) && now - prunedAt < Ticks(PrunedFor))
        {
            return null;
        }

        if (_known.Count >= MaxKnown && !(asked && PruneOne()))
        {
            Wait(endPoint, source);
            return null;
        }

        return Admit(endPoint, source);
    }

    public PeerCandidate? Get(IPEndPoint endPoint) => _known.GetValueOrDefault(Normalize(endPoint));

    /// <summary>
    /// Up to <paramref name="max"/> idle candidates to dial now: never-dialled ones first (in the order they came), then
    /// those whose retry time has come, fewest failures first.
    /// </summary>
    public List<PeerCandidate> ToDial(long now, int max)
    {
        var ready = new List<PeerCandidate>();
        if (max <= 0)
        {
            return ready;
        }

        if (_fresh.Count < max && Waiting > 0)
        {
            PruneFailed(now);
        }

        while (ready.Count < max && _fresh.TryDequeue(out var fresh))
        {
            if (!fresh.Removed && fresh.State == PeerCandidateState.Idle && !fresh.Tried && fresh.RetryAt <= now)
            {
                ready.Add(fresh);
            }
        }

        if (ready.Count < max && now >= _nextRetryAt)
        {
            AddRetries(now, max, ready);
        }

        foreach (var candidate in ready)
        {
            if (!candidate.Tried)
            {
                candidate.Tried = true;
                Tried++;
            }
        }

        return ready;
    }

    /// <summary>A dial failed, or a connection ended before it was any use: back off (or give the place to a waiting address).</summary>
    public void Failed(PeerCandidate candidate, long now, string reason)
    {
        if (candidate.State == PeerCandidateState.Banned || candidate.Removed)
        {
            return;
        }

        candidate.Failures++;
        candidate.LastError = reason;
        candidate.State = PeerCandidateState.Idle;
        var delay = RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(candidate.Failures - 1, 16));
        RetryAt(candidate, now + (long)(Math.Min(delay, MaxRetryDelay.TotalSeconds) * _frequency));
        if (Waiting > 0 && !IsAsked(candidate.Source))
        {
            Prune(candidate, now);
            Promote();
        }
    }

    /// <summary>A connection that was of use ended: the peer may be dialled again after the first delay.</summary>
    public void Disconnected(PeerCandidate candidate, long now, string reason)
    {
        if (candidate.State == PeerCandidateState.Banned || candidate.Removed)
        {
            return;
        }

        candidate.Failures = 0;
        candidate.LastError = reason;
        candidate.State = PeerCandidateState.Idle;
        RetryAt(candidate, now + (long)(RetryDelay.TotalSeconds * _frequency));
    }

    /// <summary>
    /// The peer has every piece and so do we: nothing can pass between us, so it is not dialled again for
    /// <see cref="RedundantDelay"/> (libtorrent and aria2 close such connections at once; dialling back would only repeat it).
    /// </summary>
    public void Redundant(PeerCandidate candidate, long now, string reason)
    {
        if (candidate.State == PeerCandidateState.Banned || candidate.Removed)
        {
            return;
        }

        candidate.LastError = reason;
        candidate.State = PeerCandidateState.Idle;
        RetryAt(candidate, now + (long)(RedundantDelay.TotalSeconds * _frequency));
    }

    /// <summary>How long a seed we met while seeding is left alone.</summary>
    public TimeSpan RedundantDelay { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The connection was closed because the peer misbehaved: it is not dialled again for <see cref="OffenceDelay"/>
    /// (doubling with each offence), and <see cref="BanOffences"/> offences ban it. Returns true when it was banned.
    /// </summary>
    public bool Misbehaved(PeerCandidate candidate, long now, string reason)
    {
        if (candidate.State == PeerCandidateState.Banned)
        {
            return true;
        }

        candidate.Offences++;
        if (candidate.Offences >= BanOffences)
        {
            Ban(candidate, $"{reason} ({candidate.Offences} times)");
            return true;
        }

        candidate.LastError = reason;
        candidate.State = PeerCandidateState.Idle;
        RetryAt(candidate, now + (long)(OffenceDelay.TotalSeconds * Math.Pow(2, candidate.Offences - 1) * _frequency));
        return false;
    }

    /// <summary>Bans the candidate's address for the session: its place goes to a waiting address.</summary>
    public void Ban(PeerCandidate candidate, string reason)
    {
        candidate.State = PeerCandidateState.Banned;
        candidate.LastError = reason;
        Ban(candidate.EndPoint);
    }

    /// <summary>Bans an address for the session, known or not (a peer that dialled us and told us its listen port).</summary>
    public void Ban(IPEndPoint endPoint)
    {
        endPoint = Normalize(endPoint);
        if (_known.TryGetValue(endPoint, out var candidate))
        {
            candidate.State = PeerCandidateState.Banned;
            Remove(candidate);
            Promote();
        }

        if (_waitingSet.Remove(endPoint))
        {
            foreach (var list in _waiting.Values)
            {
                list.Remove(endPoint);
            }
        }

        if (_banned.Add(endPoint))
        {
            _bannedOrder.Enqueue(endPoint);
            if (_bannedOrder.Count > MaxBanned)
            {
                _banned.Remove(_bannedOrder.Dequeue());
            }
        }
    }

    public bool IsBanned(IPEndPoint endPoint) => _banned.Contains(Normalize(endPoint));

    /// <summary>Candidates kept for <paramref name="address"/> (any port).</summary>
    public int CountAt(IPAddress address) => _knownPerAddress.GetValueOrDefault(Normalize(address));

    internal static IPEndPoint Normalize(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Addresses the user gave (or the magnet link named): never pruned, and taken even when pruned before.</summary>
    private static bool IsAsked(PeerSource source) => source is PeerSource.Manual or PeerSource.Magnet;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _frequency);

    private PeerCandidate Admit(IPEndPoint endPoint, PeerSource source)
    {
        var candidate = new PeerCandidate(endPoint, source);
        _known.Add(endPoint, candidate);
        _knownPerAddress[endPoint.Address] = _knownPerAddress.GetValueOrDefault(endPoint.Address) + 1;
        _fresh.Enqueue(candidate);
        Accepted++;
        return candidate;
    }

    private void Remove(PeerCandidate candidate)
    {
        candidate.Removed = true;
        _known.Remove(candidate.EndPoint);
        var left = _knownPerAddress.GetValueOrDefault(candidate.EndPoint.Address) - 1;
        if (left > 0)
        {
            _knownPerAddress[candidate.EndPoint.Address] = left;
        }
        else
        {
            _knownPerAddress.Remove(candidate.EndPoint.Address);
        }
    }

    private void RetryAt(PeerCandidate candidate, long at)
    {
        candidate.RetryAt = at;
        _nextRetryAt = Math.Min(_nextRetryAt, at);
    }

    /// <summary>An address for later: a full reserve gives a random entry's place to it (the newest is always kept).</summary>
    private void Wait(IPEndPoint endPoint, PeerSource source)
    {
        if (!_waiting.TryGetValue(source, out var list))
        {
            list = new List<IPEndPoint>();
            _waiting.Add(source, list);
            _sources.Add(source);
        }

        if (_waitingSet.Count >= MaxWaiting)
        {
            // Out of the largest source's list, so a flood from one source cannot push out the few from another.
            var largest = list;
            foreach (var other in _waiting.Values)
            {
                largest = other.Count > largest.Count ? other : largest;
            }

            _waitingSet.Remove(TakeAt(largest, _random.Next(largest.Count)));
        }

        list.Add(endPoint);
        _waitingSet.Add(endPoint);
        Accepted++;
    }

    /// <summary>A failed candidate leaves the set; its address is not taken back from sources for <see cref="PrunedFor"/>.</summary>
    private void Prune(PeerCandidate candidate, long now)
    {
        Remove(candidate);
        _pruned[candidate.EndPoint] = now;
        _prunedOrder.Enqueue(candidate.EndPoint);
        while (_prunedOrder.Count > MaxWaiting + MaxKnown && _prunedOrder.TryDequeue(out var oldest))
        {
            _pruned.Remove(oldest);
        }
    }

    /// <summary>Makes room for one address the user gave: the idle candidate with the most failures leaves.</summary>
    private bool PruneOne()
    {
        PeerCandidate? worst = null;
        foreach (var candidate in _known.Values)
        {
            if (candidate.State == PeerCandidateState.Idle && candidate.Failures > 0 && !IsAsked(candidate.Source) && (worst is null || candidate.Failures > worst.Failures))
            {
                worst = candidate;
            }
        }

        if (worst is null)
        {
            return false;
        }

        Remove(worst);
        return true;
    }

    /// <summary>While addresses wait: every idle candidate that failed gives its place to one of them.</summary>
    private void PruneFailed(long now)
    {
        List<PeerCandidate>? failed = null;
        foreach (var candidate in _known.Values)
        {
            if (candidate.State == PeerCandidateState.Idle && candidate.Failures > 0 && !IsAsked(candidate.Source))
            {
                (failed ??= new List<PeerCandidate>()).Add(candidate);
            }
        }

        if (failed is null)
        {
            return;
        }

        failed.Sort(static (a, b) => b.Failures.CompareTo(a.Failures));
        for (var i = 0; i < failed.Count && Waiting > 0; i++)
        {
            Prune(failed[i], now);
            Promote();
        }
    }

    /// <summary>A waiting address becomes a candidate: each source in turn, a random one of it (of an address not yet known, when a few tries find one).</summary>
    private void Promote()
    {
        while (_known.Count < MaxKnown && Waiting > 0)
        {
            var list = NextSource();
            var at = _random.Next(list.Count);
            for (var attempt = 0; attempt < 3 && CountAt(list[at].Address) > 0; attempt++)
            {
                at = _random.Next(list.Count);
            }

            var endPoint = TakeAt(list, at);
            _waitingSet.Remove(endPoint);
            if (!_known.ContainsKey(endPoint) && !_banned.Contains(endPoint))
            {
                Admit(endPoint, SourceOf(list));
                return;
            }
        }
    }

    private List<IPEndPoint> NextSource()
    {
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[(_sourceTurn + i) % _sources.Count];
            if (_waiting[source].Count > 0)
            {
                _sourceTurn = (_sourceTurn + i + 1) % _sources.Count;
                return _waiting[source];
            }
        }

        throw new InvalidOperationException("No address is waiting.");
    }

    private PeerSource SourceOf(List<IPEndPoint> list)
    {
        foreach (var (source, addresses) in _waiting)
        {
            if (ReferenceEquals(addresses, list))
            {
                return source;
            }
        }

        return PeerSource.Tracker;
    }

    private static IPEndPoint TakeAt(List<IPEndPoint> list, int index)
    {
        var taken = list[index];
        list[index] = list[^1];
        list.RemoveAt(list.Count - 1);
        return taken;
    }

    private void AddRetries(long now, int max, List<PeerCandidate> ready)
    {
        var start = ready.Count;
        var next = long.MaxValue;
        foreach (var candidate in _known.Values)
        {
            if (candidate.State != PeerCandidateState.Idle || ready.Contains(candidate))
            {
                continue;
            }

            if (candidate.RetryAt <= now)
            {
                ready.Add(candidate);
            }
            else
            {
                next = Math.Min(next, candidate.RetryAt);
            }
        }

        ready.Sort(start, ready.Count - start, Comparer<PeerCandidate>.Create(static (a, b) => a.Failures != b.Failures ? a.Failures.CompareTo(b.Failures) : a.RetryAt.CompareTo(b.RetryAt)));
        for (var i = max; i < ready.Count; i++)
        {
            next = Math.Min(next, ready[i].RetryAt);
        }

        if (ready.Count > max)
        {
            ready.RemoveRange(max, ready.Count - max);
        }

        _nextRetryAt = next;
    }
}
