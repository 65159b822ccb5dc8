namespace TorrentPS.Engine.Swarm;

/// <summary>
/// BEP 3's choking algorithm, as the reference clients run it, as a pure function over snapshots: every round (10 s)
/// the interested peers that upload to us fastest (while we download) or that we upload to fastest (while we seed) get
/// the regular slots; one more, the optimistic unchoke, goes to a random other interested peer and moves every third
/// round (30 s), with peers connected in the last minute three times as likely to get it. Snubbed peers lose their slot.
/// </summary>
public static class Choker
{
    public const int DefaultSlots = 4;
    public static readonly TimeSpan Round = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan OptimisticRound = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan NewPeerAge = TimeSpan.FromMinutes(1);

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
