using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Dht;

/// <summary>Sends one query and waits for its answer: a response, an error, or null when it went unanswered.</summary>
internal delegate Task<KrpcMessage?> KrpcQuerySender(IPEndPoint to, KrpcQuery query, CancellationToken cancellationToken);

/// <summary>The bounds of one lookup.</summary>
/// <param name="Alpha">Queries in flight at once.</param>
/// <param name="K">How many closest nodes the lookup converges on.</param>
/// <param name="SlowAfter">When an unanswered query frees its slot for another.</param>
/// <param name="Deadline">The most the whole lookup takes.</param>
/// <param name="MaxQueried">The most nodes queried.</param>
/// <param name="MaxPeers">The most distinct peers passed on.</param>
internal sealed record DhtLookupLimits(int Alpha, int K, TimeSpan SlowAfter, TimeSpan Deadline, int MaxQueried, int MaxPeers)
{
    /// <summary>Nodes read from one answer (BEP 5 answers carry k): more cannot flood the candidate list.</summary>
    public int MaxNodesPerAnswer { get; init; } = 2 * K;

    /// <summary>Candidates kept; beyond these the farthest unqueried ones are dropped.</summary>
    public int MaxCandidates { get; init; } = 8 * K;
}

/// <summary>A node that answered a lookup, with the token it gave (get_peers).</summary>
internal sealed record DhtLookupResponder(DhtContact Node, byte[]? Token);

/// <summary>What a lookup ended with.</summary>
/// <param name="Closest">The closest nodes that answered, closest first, at most k.</param>
/// <param name="Queried">Nodes queried.</param>
/// <param name="Responded">Nodes that answered.</param>
/// <param name="PeersFound">Distinct peers passed on.</param>
/// <param name="TimedOut">The deadline ended it.</param>
internal sealed record DhtLookupResult(IReadOnlyList<DhtLookupResponder> Closest, int Queried, int Responded, int PeersFound, bool TimedOut);

/// <summary>
/// One iterative Kademlia lookup (BEP 5): <c>find_node</c> towards a target (bootstrap, bucket refresh) or
/// <c>get_peers</c> for an info hash (peers passed on as each answer brings them). It keeps its candidates sorted by
/// distance to the target, queries the closest not yet asked, at most alpha at a time (an unanswered query frees its
/// slot after <see cref="DhtLookupLimits.SlowAfter"/>), and ends when the k closest that did not fail have all
/// answered. Bounded however the answers lie: each answer adds at most <see cref="DhtLookupLimits.MaxNodesPerAnswer"/>
/// nodes, one candidate per IP address, at most <see cref="DhtLookupLimits.MaxQueried"/> queries, and a deadline.
/// <para>
/// Its state belongs to its one flow: answers reach it through a channel, so the flow alone changes it, on whichever
/// thread completed the answer it was waiting for.
/// </para>
/// </summary>
internal sealed class DhtLookup
{
    private readonly NodeId _ownId;
    private readonly NodeId _target;
    private readonly InfoHash? _infoHash;
    private readonly DhtLookupLimits _limits;
    private readonly TimeProvider _time;
    private readonly KrpcQuerySender _send;
    private readonly AddressFamily _family;
    private readonly IPEndPoint _ownEndPoint;
    private readonly List<Candidate> _candidates = [];
    private readonly HashSet<IPAddress> _addresses = [];
    private readonly HashSet<IPEndPoint> _peers = [];
    private int _queried;
    private int _responded;

    /// <param name="infoHash">The torrent for a get_peers lookup; null for find_node towards <paramref name="target"/>.</param>
    public DhtLookup(NodeId ownId, IPEndPoint ownEndPoint, NodeId target, InfoHash? infoHash, DhtLookupLimits limits, TimeProvider time, KrpcQuerySender send)
    {
        _ownEndPoint = ownEndPoint;
        _family = ownEndPoint.AddressFamily;
        _ownId = ownId;
        _target = target;
        _infoHash = infoHash;
        _limits = limits;
        _time = time;
        _send = send;
    }

    private enum CandidateState
    {
        New,
        InFlight,
        Responded,
        Failed,
    }

    /// <summary>Runs the lookup from <paramref name="seeds"/>. Ends with what it found when it converges, runs out of bounds or reaches its deadline.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DhtLookupResult> RunAsync(IEnumerable<DhtContact> seeds, Action<IReadOnlyList<IPEndPoint>>? onPeers, CancellationToken cancellationToken)
    {
        foreach (var seed in seeds)
        {
            Consider(seed);
        }

        // Synchronous continuations: the flow resumes on the thread that completed an answer, with no hop.
        var events = Channel.CreateUnbounded<LookupEvent>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
        using var deadline = new CancellationTokenSource(_limits.Deadline, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var timedOut = false;
        var active = 0;
        var inFlight = 0;
        try
        {
            while (true)
            {
                while (active < _limits.Alpha && _queried < _limits.MaxQueried && NextToQuery() is { } next)
                {
                    next.State = CandidateState.InFlight;
                    active++;
                    inFlight++;
                    _queried++;
                    _ = QueryAsync(next, events.Writer, stop.Token);
                }

                if (inFlight == 0)
                {
                    break;
                }

                var answer = await events.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
                if (answer.IsSlow)
                {
                    if (answer.Candidate is { State: CandidateState.InFlight, Slow: false })
                    {
                        answer.Candidate.Slow = true;
                        active--;
                    }

                    continue;
                }

                inFlight--;
                if (!answer.Candidate.Slow)
                {
                    active--;
                }

                Handle(answer.Candidate, answer.Message, onPeers);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
        }

        var closest = new List<DhtLookupResponder>(_limits.K);
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Responded)
            {
                closest.Add(new DhtLookupResponder(candidate.Contact, candidate.Token));
                if (closest.Count == _limits.K)
                {
                    break;
                }
            }
        }

        return new DhtLookupResult(closest, _queried, _responded, _peers.Count, timedOut);
    }

    /// <summary>The closest unqueried candidate among the k closest that have not failed; null when those are all asked.</summary>
    private Candidate? NextToQuery()
    {
        var live = 0;
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Failed)
            {
                continue;
            }

            if (live++ >= _limits.K)
            {
                return null;
            }

            if (candidate.State == CandidateState.New)
            {
                return candidate;
            }
        }

        return null;
    }

    private async Task QueryAsync(Candidate candidate, ChannelWriter<LookupEvent> events, CancellationToken cancellationToken)
    {
        var query = _infoHash is null
            ? KrpcQuery.FindNode([0], _ownId, _target)
            : KrpcQuery.GetPeers([0], _ownId, _infoHash);
        KrpcMessage? message = null;
        var slow = _time.CreateTimer(static state => ((LookupEvent)state!).Post(), new LookupEvent(candidate, null, IsSlow: true, events), _limits.SlowAfter, Timeout.InfiniteTimeSpan);
        try
        {
            message = await _send(candidate.Contact.EndPoint, query, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The lookup is over; nobody reads the answer.
        }
        finally
        {
            await slow.DisposeAsync().ConfigureAwait(false);
        }

        events.TryWrite(new LookupEvent(candidate, message, IsSlow: false, events));
    }

    private void Handle(Candidate candidate, KrpcMessage? message, Action<IReadOnlyList<IPEndPoint>>? onPeers)
    {
        if (message is not KrpcResponse response)
        {
            candidate.State = CandidateState.Failed;
            return;
        }

        candidate.State = CandidateState.Responded;
        candidate.Token = response.Token;
        _responded++;
        if (response.SenderId != candidate.Contact.Id)
        {
            // It answers with another id than we were told: place it where it really is.
            _candidates.Remove(candidate);
            candidate.Contact = candidate.Contact with { Id = response.SenderId };
            candidate.Distance = response.SenderId.Xor(_target);
            Insert(candidate);
        }

        var read = 0;
        foreach (var node in response.Nodes)
        {
            if (read++ >= _limits.MaxNodesPerAnswer)
            {
                break;
            }

            Consider(node);
        }

        Trim();
        if (_infoHash is not null && response.Values.Count > 0 && onPeers is not null)
        {
            List<IPEndPoint>? fresh = null;
            foreach (var peer in response.Values)
            {
                if (_peers.Count >= _limits.MaxPeers)
                {
                    break;
                }

                if (_peers.Add(peer))
                {
                    (fresh ??= []).Add(peer);
                }
            }

            if (fresh is not null)
            {
                onPeers(fresh);
            }
        }
    }

    /// <summary>Adds a node as a candidate unless it is us (by id or end point), of the wrong family, or on an IP address already seen in this lookup.</summary>
    private void Consider(DhtContact node)
    {
        if (node.Id == _ownId || node.EndPoint.Equals(_ownEndPoint) || node.EndPoint.AddressFamily != _family || node.EndPoint.Port == 0 || !_addresses.Add(node.EndPoint.Address))
        {
            return;
        }

        Insert(new Candidate(node, node.Id.Xor(_target)));
    }

    private void Insert(Candidate candidate)
    {
        var low = 0;
        var high = _candidates.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_candidates[middle].Distance.CompareTo(candidate.Distance) <= 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        _candidates.Insert(low, candidate);
    }

    /// <summary>Drops the farthest candidates that were never asked (or failed) while there are more than the bound.</summary>
    private void Trim()
    {
        for (var i = _candidates.Count - 1; i >= 0 && _candidates.Count > _limits.MaxCandidates; i--)
        {
            if (_candidates[i].State is CandidateState.New or CandidateState.Failed)
            {
                _candidates.RemoveAt(i);
            }
        }
    }

    private sealed class Candidate(DhtContact contact, NodeId distance)
    {
        public DhtContact Contact { get; set; } = contact;

        /// <summary>The XOR of its id and the target.</summary>
        public NodeId Distance { get; set; } = distance;

        public CandidateState State { get; set; }

        /// <summary>Its query has waited long enough to free its slot.</summary>
        public bool Slow { get; set; }

        public byte[]? Token { get; set; }
    }

    /// <summary>An answer (or its absence) to one candidate's query, or the signal that the query became slow.</summary>
    private sealed record LookupEvent(Candidate Candidate, KrpcMessage? Message, bool IsSlow, ChannelWriter<LookupEvent> Events)
    {
        public void Post() => Events.TryWrite(this);
    }
}
