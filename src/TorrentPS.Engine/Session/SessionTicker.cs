namespace TorrentPS.Engine.Session;

/// <summary>
/// The session's one clock for every running torrent: a single timer (none while nothing runs) that, each
/// <see cref="Interval"/>, posts a tick to the runs whose tick is due. A run with nothing to do between ticks (seeding
/// with no peer: <see cref="Slot.Idle"/>) is ticked every <see cref="IdleInterval"/> only, and a run whose last tick is
/// still waiting in its queue gets no second one: a session of many idle torrents wakes a few threads a second, not one
/// per torrent four times a second. Thread-safe.
/// </summary>
internal sealed class SessionTicker : IDisposable
{
    /// <summary>How often a busy run is ticked (rates, request timeouts, the choker, status).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often an idle run is ticked (a seed goal reached, a checkpoint, a status for displays).</summary>
    public static readonly TimeSpan IdleInterval = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly List<TorrentRun> _runs = new();
    private TorrentRun[] _snapshot = [];
    private bool _changed;
    private ITimer? _timer;
    private bool _disposed;

    public SessionTicker(TimeProvider time) => _time = time;

    /// <summary>Runs ticked now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _runs.Count;
            }
        }
    }

    /// <summary>Ticks <paramref name="run"/> from now on (its first tick one <see cref="Interval"/> from now).</summary>
    public void Add(TorrentRun run)
    {
        run.Ticks.Start(_time.GetTimestamp());
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _runs.Add(run);
            _changed = true;
            _timer ??= _time.CreateTimer(static s => ((SessionTicker)s!).OnTimer(), this, Interval, Interval);
        }
    }

    /// <summary>Stops ticking <paramref name="run"/>; the timer stops with the last run.</summary>
    public void Remove(TorrentRun run)
    {
        ITimer? idle = null;
        lock (_lock)
        {
            if (_runs.Remove(run))
            {
                _changed = true;
            }

            if (_runs.Count == 0)
            {
                idle = _timer;
                _timer = null;
            }
        }

        idle?.Dispose();
    }

    public void Dispose()
    {
        ITimer? timer;
        lock (_lock)
        {
            _disposed = true;
            _runs.Clear();
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }

    private void OnTimer()
    {
        TorrentRun[] runs;
        lock (_lock)
        {
            if (_changed)
            {
                _snapshot = _runs.ToArray();
                _changed = false;
            }

            runs = _snapshot;
        }

        var now = _time.GetTimestamp();
        foreach (var run in runs)
        {
            if (run.Ticks.TryTake(now, _time))
            {
                run.PostTick();
            }
        }
    }

    /// <summary>One run's place on the clock: when it was last ticked, whether that tick is still queued, whether it is idle.</summary>
    internal sealed class Slot
    {
        private long _lastTick;
        private int _pending;
        private volatile bool _idle;

        /// <summary>Set by the run's loop after each batch: nothing to do between ticks.</summary>
        public bool Idle
        {
            get => _idle;
            set => _idle = value;
        }

        public void Start(long now) => Volatile.Write(ref _lastTick, now);

        /// <summary>The loop took its tick: the next may be posted.</summary>
        public void Handled() => Volatile.Write(ref _pending, 0);

        /// <summary>Whether a tick is due now; if so it is marked as posted. Half an interval of timer jitter is allowed.</summary>
        public bool TryTake(long now, TimeProvider time)
        {
            if (Volatile.Read(ref _pending) != 0)
            {
                return false;
            }

            var interval = _idle ? IdleInterval : Interval;
            if (time.GetElapsedTime(Volatile.Read(ref _lastTick), now) < interval - (Interval / 2))
            {
                return false;
            }

            Volatile.Write(ref _lastTick, now);
            Volatile.Write(ref _pending, 1);
            return true;
        }
    }
}
