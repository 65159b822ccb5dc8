using System.Security.Cryptography;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// BEP 12 multitracker: tiers tried in order, trackers shuffled within a tier once, and a tracker that answers
/// moves to the front of its tier. Holds each tracker's <see cref="TrackerState"/>. Thread-safe.
/// </summary>
internal sealed class TrackerTierList
{
    private readonly object _lock = new();
    private readonly List<TrackerState>[] _tiers;

    public TrackerTierList(IReadOnlyList<IReadOnlyList<string>> tiers, bool shuffle = true)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var built = new List<List<TrackerState>>();
        foreach (var tier in tiers)
        {
            var states = new List<TrackerState>();
            foreach (var url in tier)
            {
                if (!string.IsNullOrWhiteSpace(url) && seen.Add(url))
                {
                    states.Add(new TrackerState(url, built.Count));
                }
            }

            if (states.Count == 0)
            {
                continue;
            }

            if (shuffle)
            {
                Shuffle(states);
            }

            built.Add(states);
        }

        _tiers = built.ToArray();
    }

    public int TierCount => _tiers.Length;

    /// <summary>The trackers of tier <paramref name="tier"/> in the order they are to be tried.</summary>
    public IReadOnlyList<TrackerState> GetTier(int tier)
    {
        lock (_lock)
        {
            return _tiers[tier].ToArray();
        }
    }

    /// <summary>Every tracker, tier by tier, in trying order.</summary>
    public IReadOnlyList<TrackerState> All
    {
        get
        {
            lock (_lock)
            {
                return _tiers.SelectMany(t => t).ToArray();
            }
        }
    }

    /// <summary>BEP 12: a tracker that answered moves to the front of its tier.</summary>
    public void Promote(TrackerState tracker)
    {
        lock (_lock)
        {
            var tier = _tiers[tracker.Tier];
            if (tier.Remove(tracker))
            {
                tier.Insert(0, tracker);
            }
        }
    }

    private static void Shuffle(List<TrackerState> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = RandomNumberGenerator.GetInt32(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
