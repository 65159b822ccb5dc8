namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The channel a torrent's loop reads: any thread posts, the loop's own thread takes everything posted in one go and
/// sleeps while nothing is. A plain monitor, not the thread pool: an idle pool worker spins before it sleeps, which on two
/// cores costs the download a measurable share of a core (shared/PERFORMANCE.md: every hop costs).
/// </summary>
internal sealed class EventQueue<T>
{
    private readonly object _lock = new();
    private List<T> _items = new(64);
    private List<T> _taken = new(64);
    private bool _waiting;
    private bool _completed;

    /// <summary>Posts an item and wakes the loop if it sleeps; false once the queue is completed.</summary>
    public bool TryPost(T item) => TryPost(item, wake: true);

    /// <summary>
    /// Posts an item without waking the loop: for a thread that is about to post again (a connection's reading thread
    /// posts what a piece's completion found, then the batch of the same receive), so the loop wakes once for both.
    /// Taken with whatever is posted next; false once the queue is completed.
    /// </summary>
    public bool TryPostQuietly(T item) => TryPost(item, wake: false);

    private bool TryPost(T item, bool wake)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _items.Add(item);
            if (wake && _waiting)
            {
                WakeUps++;
                Monitor.Pulse(_lock);
            }
        }

        return true;
    }

    /// <summary>Waits until something is posted and takes all of it; an empty list once completed and drained. The list is reused by the next call.</summary>
    public List<T> TakeAll()
    {
        lock (_lock)
        {
            while (_items.Count == 0 && !_completed)
            {
                _waiting = true;
                Monitor.Wait(_lock);
                _waiting = false;
            }

            _taken.Clear();
            (_items, _taken) = (_taken, _items);
            return _taken;
        }
    }

    /// <summary>No more posts are taken; what was posted can still be taken.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>How many times a post woke the sleeping taker (read under no lock: a figure for tests and diagnostics).</summary>
    public long WakeUps { get; private set; }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }
}
