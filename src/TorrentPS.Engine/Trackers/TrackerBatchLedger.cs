using System.Threading.Channels;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// The bookkeeping behind <see cref="TrackerBatchProgress"/>: the trackers of one discovery or status query in groups
/// that each take one of the slots (a tier for discovery, whose trackers are asked in turn or staggered; a single
/// tracker for status), told of every step by the code that takes it, and the snapshot after each step published to
/// the caller's channel with <c>TryWrite</c> (the batch never waits on its reader). Thread-safe.
/// </summary>
internal sealed class TrackerBatchLedger
{
    private readonly object _gate = new();
    private readonly InfoHash _infoHash;
    private readonly TrackerAsk[] _asks;
    private readonly Dictionary<TrackerState, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly int[] _groupOf;
    private readonly int[][] _members;
    private readonly DateTimeOffset[] _askedAt;
    private readonly DateTimeOffset?[] _groupEntered;
    private readonly DateTimeOffset[] _groupLastStep;
    private readonly bool _tierWinsAll;
    private readonly TimeSpan _perRequest;
    private readonly TimeSpan _stagger;
    private readonly int _slots;
    private readonly int _notContacted;
    private readonly DateTimeOffset _deadline;
    private readonly TimeProvider _time;
    private readonly ChannelWriter<TrackerBatchProgress>? _output;
    private int _peers;
    private TrackerAsk? _lastFinished;
    private TrackerBatchProgress _latest;
    private bool _complete;

    private TrackerBatchLedger(
        InfoHash infoHash,
        IReadOnlyList<IReadOnlyList<TrackerState>> groups,
        bool tierWinsAll,
        int notContacted,
        TimeSpan perRequest,
        TimeSpan stagger,
        int slots,
        TimeSpan overall,
        TimeProvider time,
        ChannelWriter<TrackerBatchProgress>? output)
    {
        _infoHash = infoHash;
        _tierWinsAll = tierWinsAll;
        _notContacted = notContacted;
        _perRequest = perRequest;
        _stagger = stagger;
        _slots = Math.Max(1, slots);
        _time = time;
        _output = output;
        var asks = new List<TrackerAsk>();
        var groupOf = new List<int>();
        _members = new int[groups.Count][];
        for (var g = 0; g < groups.Count; g++)
        {
            _members[g] = new int[groups[g].Count];
            for (var m = 0; m < groups[g].Count; m++)
            {
                var tracker = groups[g][m];
                _index[tracker] = asks.Count;
                _members[g][m] = asks.Count;
                asks.Add(new TrackerAsk(tracker.Url, tracker.Tier, TrackerAskState.Waiting));
                groupOf.Add(g);
            }
        }

        _asks = asks.ToArray();
        _groupOf = groupOf.ToArray();
        _askedAt = new DateTimeOffset[_asks.Length];
        _groupEntered = new DateTimeOffset?[groups.Count];
        _groupLastStep = new DateTimeOffset[groups.Count];
        var now = time.GetUtcNow();
        _deadline = now + overall;
        _latest = SnapshotLocked(now);
        _output?.TryWrite(_latest);
    }

    /// <summary>The latest snapshot.</summary>
    public TrackerBatchProgress Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>
    /// A discovery's ledger: each tier a group; its trackers asked one after another, the next at the latest a
    /// stagger after the last step, the first answer ending the tier; each request within the tracker timeout.
    /// </summary>
    public static TrackerBatchLedger ForDiscovery(InfoHash infoHash, IReadOnlyList<IReadOnlyList<TrackerState>> tiers, int notContacted, TrackerDiscoveryOptions options, ChannelWriter<TrackerBatchProgress>? output)
        => new(infoHash, tiers, tierWinsAll: true, notContacted, options.Tracker.Timeout, options.EffectiveTierStagger, options.MaxConcurrency, options.EffectiveOverallTimeout, options.Time, output);

    /// <summary>A status query's ledger: each tracker on its own, a scrape and then perhaps an announce, each within the tracker timeout.</summary>
    public static TrackerBatchLedger ForStatus(InfoHash infoHash, IReadOnlyList<TrackerState> trackers, int notContacted, TrackerDiscoveryOptions options, ChannelWriter<TrackerBatchProgress>? output)
        => new(infoHash, trackers.Select(t => (IReadOnlyList<TrackerState>)[t]).ToArray(), tierWinsAll: false, notContacted, options.Tracker.Timeout * 2, TimeSpan.Zero, options.MaxConcurrency, options.EffectiveOverallTimeout, options.Time, output);

    /// <summary>The group of <paramref name="tracker"/> took a slot: its turn has come.</summary>
    public void Entered(TrackerState tracker) => Step(tracker, (index, now) =>
    {
        var group = _groupOf[index];
        _groupEntered[group] = now;
        _groupLastStep[group] = now;
    });

    /// <summary><paramref name="tracker"/> is asked now.</summary>
    public void Asking(TrackerState tracker) => Step(tracker, (index, now) =>
    {
        Set(index, TrackerAskState.Asking);
        _askedAt[index] = now;
        _groupLastStep[_groupOf[index]] = now;
    });

    /// <summary><paramref name="tracker"/> answered; in discovery, the rest of its tier is called off.</summary>
    public void Answered(TrackerState tracker) => Step(tracker, (index, _) =>
    {
        Set(index, TrackerAskState.Answered);
        _lastFinished = _asks[index];
        if (_tierWinsAll)
        {
            foreach (var other in _members[_groupOf[index]])
            {
                Set(other, _asks[other].State switch
                {
                    TrackerAskState.Waiting => TrackerAskState.NotAsked,
                    TrackerAskState.Asking => TrackerAskState.CalledOff,
                    var state => state,
                });
            }
        }
    });

    /// <summary><paramref name="tracker"/> failed, timed out or is not supported; the next of its tier may be asked now.</summary>
    public void Failed(TrackerState tracker) => Step(tracker, (index, now) =>
    {
        Set(index, TrackerAskState.Failed);
        _lastFinished = _asks[index];
        _groupLastStep[_groupOf[index]] = now;
    });

    /// <summary>A peer not reported before was reported.</summary>
    public void PeerFound()
    {
        lock (_gate)
        {
            if (_complete)
            {
                return;
            }

            _peers++;
            PublishLocked();
        }
    }

    /// <summary>
    /// The batch ended: trackers never asked are left unasked, those still waited on are called off; the last snapshot
    /// is published and the channel completed.
    /// </summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_complete)
            {
                return;
            }

            for (var i = 0; i < _asks.Length; i++)
            {
                Set(i, _asks[i].State switch
                {
                    TrackerAskState.Waiting => TrackerAskState.NotAsked,
                    TrackerAskState.Asking => TrackerAskState.CalledOff,
                    var state => state,
                });
            }

            _complete = true;
            PublishLocked();
            _output?.TryComplete();
        }
    }

    private void Step(TrackerState tracker, Action<int, DateTimeOffset> change)
    {
        lock (_gate)
        {
            if (_complete || !_index.TryGetValue(tracker, out var index))
            {
                return;
            }

            change(index, _time.GetUtcNow());
            PublishLocked();
        }
    }

    private void Set(int index, TrackerAskState state)
    {
        if (_asks[index].State != state)
        {
            _asks[index] = _asks[index] with { State = state };
        }
    }

    private void PublishLocked()
    {
        _latest = SnapshotLocked(_time.GetUtcNow());
        _output?.TryWrite(_latest);
    }

    private TrackerBatchProgress SnapshotLocked(DateTimeOffset now)
    {
        int expected = 0, asked = 0, answered = 0, failed = 0, inFlight = 0;
        foreach (var ask in _asks)
        {
            switch (ask.State)
            {
                case TrackerAskState.Waiting:
                    expected++;
                    break;
                case TrackerAskState.Asking:
                    (expected, asked, inFlight) = (expected + 1, asked + 1, inFlight + 1);
                    break;
                case TrackerAskState.Answered:
                    (expected, asked, answered) = (expected + 1, asked + 1, answered + 1);
                    break;
                case TrackerAskState.Failed:
                    (expected, asked, failed) = (expected + 1, asked + 1, failed + 1);
                    break;
                case TrackerAskState.CalledOff:
                    asked++;
                    break;
            }
        }

        return new TrackerBatchProgress
        {
            InfoHash = _infoHash,
            Trackers = _asks.ToArray(),
            NotContacted = _notContacted,
            Expected = expected,
            Asked = asked,
            Answered = answered,
            Failed = failed,
            InFlight = inFlight,
            Peers = _peers,
            LastFinished = _lastFinished,
            At = now,
            Deadline = _deadline,
            EndsBy = _complete ? now : EndsByLocked(now),
            IsComplete = _complete,
        };
    }

    /// <summary>
    /// The latest every open group can be done by. A group with its slot ends when its slowest request times out or,
    /// if trackers of it wait, when the last of them (asked a stagger apart at the latest) times out; the groups still
    /// waiting for a slot take the first slot that frees, in order, and need the same from their start. Never after
    /// the deadline.
    /// </summary>
    private DateTimeOffset EndsByLocked(DateTimeOffset now)
    {
        var latest = now;
        var slotsFree = new PriorityQueue<DateTimeOffset, DateTimeOffset>();
        var running = 0;
        var queued = new List<TimeSpan>();
        for (var g = 0; g < _members.Length; g++)
        {
            var waiting = 0;
            var end = now;
            var open = false;
            foreach (var m in _members[g])
            {
                switch (_asks[m].State)
                {
                    case TrackerAskState.Waiting:
                        (waiting, open) = (waiting + 1, true);
                        break;
                    case TrackerAskState.Asking:
                        open = true;
                        end = Max(end, _askedAt[m] + _perRequest);
                        break;
                }
            }

            if (!open)
            {
                continue;
            }

            if (_groupEntered[g] is null)
            {
                queued.Add((_stagger * (waiting - 1)) + _perRequest);
                continue;
            }

            if (waiting > 0)
            {
                end = Max(end, _groupLastStep[g] + (_stagger * waiting) + _perRequest);
            }

            running++;
            slotsFree.Enqueue(end, end);
            latest = Max(latest, end);
        }

        for (var free = running; free < _slots; free++)
        {
            slotsFree.Enqueue(now, now);
        }

        foreach (var work in queued)
        {
            var start = slotsFree.Dequeue();
            var end = start + work;
            slotsFree.Enqueue(end, end);
            latest = Max(latest, end);
        }

        return latest < _deadline ? latest : _deadline;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
