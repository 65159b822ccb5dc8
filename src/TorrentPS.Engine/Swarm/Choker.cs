using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// BEP 3's choking algorithm, as the reference clients run it, as a pure function over snapshots: every round (10 s)
/// the interested peers that upload to us fastest (while we download) or that we upload to fastest (while we seed) get
/// the regular slots; one more, the optimistic unchoke, goes to a random other interested peer and moves every third
/// round (30 s), with peers connected in the last minute three times as likely to get it. Snubbed peers lose their slot.
/// The decision is a pure function (<see cref="Decide"/>); an instance holds one torrent's rounds (when the last ran,
/// who holds the optimistic slot) and applies each decision to the peers. Owned by the loop; it writes the choking half
/// of <see cref="PeerState"/>.
/// </summary>
internal sealed class Choker
{
    public const int DefaultSlots = 4;
    public static readonly TimeSpan Round = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan OptimisticRound = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan NewPeerAge = TimeSpan.FromMinutes(1);

    private readonly List<ChokeCandidate> _candidates = new();
    private readonly IConnectedPeers _peers;
    private readonly PeerOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly int _slots;
    private readonly Random _random = new();
    private long _lastRoundAt;
    private long _lastOptimisticAt;
    private int? _optimistic;
    private bool _soon;

    internal Choker(IConnectedPeers peers, PeerOutbox outbox, int slots, TimeProvider time)
    {
        _peers = peers;
        _outbox = outbox;
        _slots = slots;
        _time = time;
    }

    /// <summary>A round is wanted as soon as the batch is done (a slot freed, a new peer wants one).</summary>
    internal void RequestRound() => _soon = true;

    /// <summary>A peer's interest changed: a round is wanted when that could change who holds a slot.</summary>
    internal void OnInterest(PeerState peer, bool interested)
    {
        peer.PeerInterested = interested;
        _soon |= interested ? peer.AmChoking : !peer.AmChoking;
    }

    /// <summary>The peer left: its slot frees.</summary>
    internal void PeerGone(PeerState peer)
    {
        _soon |= !peer.AmChoking;
        if (_optimistic == peer.Id)
        {
            _optimistic = null;
        }
    }

    /// <summary>
    /// Runs a round when one was asked for or is due (every <see cref="Round"/>): the decision applied; a newly choked
    /// peer's queued uploads are taken back (rejected with BEP 6). Nothing is unchoked before we have pieces to serve.
    /// </summary>
    internal void Run(long now, bool seeding, bool canServe)
    {
        var due = _time.GetElapsedTime(_lastRoundAt, now) >= Round;
        if (!_soon && !due)
        {
            return;
        }

        _soon = false;
        _candidates.Clear();
        foreach (var peer in _peers.Connected)
        {
            _candidates.Add(new ChokeCandidate(peer.Id, peer.PeerInterested, peer.Snubbed, peer.DownloadRate.BytesPerSecond, peer.UploadRate.BytesPerSecond, peer.ConnectedAt));
        }

        var rotate = _time.GetElapsedTime(_lastOptimisticAt, now) >= OptimisticRound;
        var decision = Decide(_candidates, seeding, _slots, _optimistic, rotate, now, (long)(NewPeerAge.TotalSeconds * _time.TimestampFrequency), _random);
        if (rotate)
        {
            _lastOptimisticAt = now;
        }

        if (due)
        {
            _lastRoundAt = now;
        }

        _optimistic = decision.Optimistic;
        foreach (var peer in _peers.Connected)
        {
            var unchoke = canServe && decision.Unchoked.Contains(peer.Id);
            if (unchoke && peer.AmChoking)
            {
                peer.AmChoking = false;
                peer.UnchokedAt = now;
                peer.Link.AmChoking = false;
                _outbox.Send(peer, OutgoingMessage.Signal(PeerMessageType.Unchoke));
            }
            else if (!unchoke && !peer.AmChoking)
            {
                peer.AmChoking = true;
                peer.Link.AmChoking = true;
                _outbox.Send(peer, OutgoingMessage.Signal(PeerMessageType.Choke));
                foreach (var upload in peer.Link.TakeUploads())
                {
                    if (peer.Link.FastExtension)
                    {
                        _outbox.Send(peer, OutgoingMessage.Reject(upload.Index, upload.Begin, upload.Length));
                    }
                }
            }
        }
    }

    /// <param name="peers">Every connected peer.</param>
    /// <param name="seeding">Rank by our upload to them instead of their upload to us.</param>
    /// <param name="slots">Regular unchoke slots.</param>
    /// <param name="optimistic">The peer holding the optimistic slot now, if any.</param>
    /// <param name="rotateOptimistic">Move the optimistic slot to another peer this round.</param>
    /// <param name="now">The clock (timestamp) and <paramref name="newPeerAge"/> in its units, for favouring new peers.</param>
    public static ChokeDecision Decide(IReadOnlyList<ChokeCandidate> peers, bool seeding, int slots, int? optimistic, bool rotateOptimistic, long now, long newPeerAge, Random random)
    {
        var eligible = new List<ChokeCandidate>(peers.Count);
        foreach (var peer in peers)
        {
            if (peer.Interested && !peer.Snubbed)
            {
                eligible.Add(peer);
            }
        }

        // Fastest first; equal rates: the longest connected first (stable, so slots do not flap between equals).
        eligible.Sort((a, b) =>
        {
            var byRate = (seeding ? b.UploadRate.CompareTo(a.UploadRate) : b.DownloadRate.CompareTo(a.DownloadRate));
            return byRate != 0 ? byRate : a.ConnectedAt.CompareTo(b.ConnectedAt);
        });

        var unchoked = new HashSet<int>();
        for (var i = 0; i < eligible.Count && unchoked.Count < slots; i++)
        {
            unchoked.Add(eligible[i].Id);
        }

        // The optimistic slot: kept unless it is time to move it or its holder no longer qualifies.
        int? keep = null;
        if (!rotateOptimistic && optimistic is { } current && !unchoked.Contains(current))
        {
            foreach (var peer in peers)
            {
                if (peer.Id == current && peer.Interested)
                {
                    keep = current;
                }
            }
        }

        var chosen = keep ?? PickOptimistic(peers, unchoked, now, newPeerAge, random);
        if (chosen is { } id)
        {
            unchoked.Add(id);
        }

        return new ChokeDecision(unchoked, chosen);
    }

    private static int? PickOptimistic(IReadOnlyList<ChokeCandidate> peers, HashSet<int> regular, long now, long newPeerAge, Random random)
    {
        var weights = 0;
        foreach (var peer in peers)
        {
            weights += Weight(peer);
        }

        if (weights == 0)
        {
            return null;
        }

        var ticket = random.Next(weights);
        foreach (var peer in peers)
        {
            ticket -= Weight(peer);
            if (ticket < 0)
            {
                return peer.Id;
            }
        }

        return null;

        int Weight(in ChokeCandidate peer)
            => !peer.Interested || regular.Contains(peer.Id) ? 0 : now - peer.ConnectedAt < newPeerAge ? 3 : 1;
    }
}
