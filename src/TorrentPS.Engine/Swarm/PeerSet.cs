using System.Net;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The peers a torrent knows of and what it did with each: never two connections to one address, failed dials retried
/// with exponential back-off, banned addresses never again (for the session). Owned by the loop; times are
/// <see cref="TimeProvider"/> timestamps.
/// </summary>
public sealed class PeerSet
{
    private readonly Dictionary<IPEndPoint, PeerCandidate> _known = new();
    private readonly long _frequency;

    public PeerSet(long timestampFrequency, int maxKnown = 2000)
    {
        _frequency = timestampFrequency;
        MaxKnown = maxKnown;
    }

    public int MaxKnown { get; }

    public int Count => _known.Count;

    public IEnumerable<PeerCandidate> All => _known.Values;

    /// <summary>The first wait after a failed dial; it doubles with each failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Adds an address (a repeat is ignored, and so is a full set); returns the candidate.</summary>
    public PeerCandidate? Add(IPEndPoint endPoint, PeerSource source)
    {
        endPoint = Normalize(endPoint);
        if (_known.TryGetValue(endPoint, out var known))
        {
            return known;
        }

        if (_known.Count >= MaxKnown)
        {
            return null;
        }

        var candidate = new PeerCandidate(endPoint, source);
        _known.Add(endPoint, candidate);
        return candidate;
    }

    public PeerCandidate? Get(IPEndPoint endPoint) => _known.GetValueOrDefault(Normalize(endPoint));

    /// <summary>Up to <paramref name="max"/> idle candidates whose retry time has come, fewest failures first.</summary>
    public List<PeerCandidate> ToDial(long now, int max)
    {
        var ready = new List<PeerCandidate>();
        if (max <= 0)
        {
            return ready;
        }

        foreach (var candidate in _known.Values)
        {
            if (candidate.State == PeerCandidateState.Idle && candidate.RetryAt <= now)
            {
                ready.Add(candidate);
            }
        }

        ready.Sort(static (a, b) => a.Failures != b.Failures ? a.Failures.CompareTo(b.Failures) : a.RetryAt.CompareTo(b.RetryAt));
        if (ready.Count > max)
        {
            ready.RemoveRange(max, ready.Count - max);
        }

        return ready;
    }

    /// <summary>A dial failed, or a connection ended before it was any use: back off.</summary>
    public void Failed(PeerCandidate candidate, long now, string reason)
    {
        if (candidate.State == PeerCandidateState.Banned)
        {
            return;
        }

        candidate.Failures++;
        candidate.LastError = reason;
        candidate.State = PeerCandidateState.Idle;
        var delay = RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(candidate.Failures - 1, 16));
        candidate.RetryAt = now + (long)(Math.Min(delay, MaxRetryDelay.TotalSeconds) * _frequency);
    }

    /// <summary>A connection that was of use ended: the peer may be dialled again after the first delay.</summary>
    public void Disconnected(PeerCandidate candidate, long now, string reason)
    {
        if (candidate.State == PeerCandidateState.Banned)
        {
            return;
        }

        candidate.Failures = 0;
        candidate.LastError = reason;
        candidate.State = PeerCandidateState.Idle;
        candidate.RetryAt = now + (long)(RetryDelay.TotalSeconds * _frequency);
    }

    public void Ban(PeerCandidate candidate, string reason)
    {
        candidate.State = PeerCandidateState.Banned;
        candidate.LastError = reason;
    }

    public bool IsBanned(IPEndPoint endPoint) => Get(endPoint)?.State == PeerCandidateState.Banned;

    private static IPEndPoint Normalize(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
