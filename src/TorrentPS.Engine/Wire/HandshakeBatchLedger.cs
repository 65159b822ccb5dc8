using System.Threading.Channels;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Rates;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The bookkeeping behind <see cref="HandshakeBatchProgress"/>: told when the batch's size is known, when each
/// handshake begins and how it ends, it publishes the snapshot after each step to the caller's channel with
/// <c>TryWrite</c> (the batch never waits on its reader). Thread-safe.
/// </summary>
internal sealed class HandshakeBatchLedger
{
    private readonly object _gate = new();
    private readonly int _slots;
    private readonly TimeSpan _perPeer;
    private readonly TimeProvider _time;
    private readonly ChannelWriter<HandshakeBatchProgress>? _output;
    private readonly Dictionary<TorrentPeer, Queue<DateTimeOffset>> _started = new(ReferenceEqualityComparer.Instance);
    private int _expected;
    private bool _allKnown;
    private int _startedCount;
    private int _succeeded;
    private int _failed;
    private TorrentPeer? _last;
    private bool _lastSucceeded;
    private bool _complete;
    private readonly ProgressRate _rate;
    private HandshakeBatchProgress _latest;

    /// <param name="knownCount">The batch's size when known up front; null when the peers are counted as they are read.</param>
    /// <param name="slots">How many handshakes run at once.</param>
    /// <param name="perPeer">The longest one handshake can take (<see cref="HandshakeOptions.LongestDial"/>).</param>
    public HandshakeBatchLedger(int? knownCount, int slots, TimeSpan perPeer, TimeProvider time, ChannelWriter<HandshakeBatchProgress>? output)
    {
        _expected = knownCount ?? 0;
        _allKnown = knownCount is not null;
        _slots = Math.Max(1, slots);
        _perPeer = perPeer;
        _time = time;
        _output = output;
        _rate = new ProgressRate(time);
        _latest = SnapshotLocked(time.GetUtcNow());
        _output?.TryWrite(_latest);
    }

    /// <summary>The latest snapshot.</summary>
    public HandshakeBatchProgress Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>Another peer of a batch counted as it is read.</summary>
    public void Counted() => Step(() => _expected++, publish: false);

    /// <summary>Every peer of the batch has been read.</summary>
    public void AllCounted() => Step(() => _allKnown = true);

    /// <summary>The handshake with <paramref name="peer"/> begins now.</summary>
    public void Starting(TorrentPeer peer) => Step(() =>
    {
        if (!_started.TryGetValue(peer, out var times))
        {
            _started[peer] = times = new Queue<DateTimeOffset>();
        }

        times.Enqueue(_time.GetUtcNow());
        _startedCount++;
    });

    /// <summary>The handshake with <paramref name="peer"/> ended: it succeeded, or failed with a typed error.</summary>
    public void Finished(TorrentPeer peer, bool succeeded) => Step(() =>
    {
        Forget(peer);
        (_succeeded, _failed) = succeeded ? (_succeeded + 1, _failed) : (_succeeded, _failed + 1);
        (_last, _lastSucceeded) = (peer, succeeded);
    });

    /// <summary>The handshake with <paramref name="peer"/> was abandoned (the batch is stopping): no outcome.</summary>
    public void Abandoned(TorrentPeer peer) => Step(() => Forget(peer));

    /// <summary>The batch ended: the last snapshot is published and the channel completed.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_complete)
            {
                return;
            }

            _complete = true;
            _started.Clear();
            _latest = SnapshotLocked(_time.GetUtcNow());
            _output?.TryWrite(_latest);
            _output?.TryComplete();
        }
    }

    private void Forget(TorrentPeer peer)
    {
        if (_started.TryGetValue(peer, out var times))
        {
            times.Dequeue();
            if (times.Count == 0)
            {
                _started.Remove(peer);
            }
        }
    }

    private void Step(Action change, bool publish = true)
    {
        lock (_gate)
        {
            if (_complete)
            {
                return;
            }

            change();
            _latest = SnapshotLocked(_time.GetUtcNow());

            // A lazily read batch is counted one peer at a time, each then started: publishing the count alone adds nothing.
            if (publish)
            {
                _output?.TryWrite(_latest);
            }
        }
    }

    private HandshakeBatchProgress SnapshotLocked(DateTimeOffset now)
    {
        var inFlight = _started.Values.Sum(t => t.Count);
        return new HandshakeBatchProgress
        {
            Expected = Math.Max(_expected, _startedCount),
            AllKnown = _allKnown,
            Started = _startedCount,
            Succeeded = _succeeded,
            Failed = _failed,
            InFlight = inFlight,
            LastFinished = _last,
            LastSucceeded = _lastSucceeded,
            At = now,
            RatePerSecond = _rate.Update(_succeeded + _failed, Math.Max(_expected, _startedCount)).PerSecond,
            EndsBy = _complete ? now : _allKnown ? EndsByLocked(now) : null,
            IsComplete = _complete,
        };
    }

    /// <summary>
    /// The latest the batch can end: each handshake under way ends by its start plus the longest a handshake can take;
    /// each one not begun takes the first slot that frees and needs as long again.
    /// </summary>
    private DateTimeOffset EndsByLocked(DateTimeOffset now)
    {
        var slots = new PriorityQueue<DateTimeOffset, DateTimeOffset>();
        var latest = now;
        var running = 0;
        foreach (var times in _started.Values)
        {
            foreach (var started in times)
            {
                var end = started + _perPeer;
                slots.Enqueue(end, end);
                latest = end > latest ? end : latest;
                running++;
            }
        }

        for (var idle = running; idle < _slots; idle++)
        {
            slots.Enqueue(now, now);
        }

        for (var waiting = _expected - _startedCount; waiting > 0; waiting--)
        {
            var free = slots.Dequeue();
            var end = (free > now ? free : now) + _perPeer;
            slots.Enqueue(end, end);
            latest = end > latest ? end : latest;
        }

        return latest;
    }
}
