using Microsoft.Win32.SafeHandles;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// A bounded cache of open file handles, least recently used closed first, safe under concurrent use: a handle is
/// leased while in use and never closed until its last lease ends, even when it is evicted (or the cache disposed)
/// meanwhile. While every cached handle is leased the cache may briefly hold more than its capacity (at most one extra
/// handle per thread using it). A hit allocates nothing.
/// </summary>
internal sealed class FileHandleCache : IDisposable
{
    /// <summary>Opens file <c>fileIndex</c>; with <c>create</c> false returns null when it does not exist.</summary>
    public delegate SafeFileHandle? Opener(int fileIndex, bool create);

    private readonly object _gate = new();
    private readonly Dictionary<int, Entry> _entries = [];
    private readonly LinkedList<Entry> _recent = new(); // most recently used first
    private readonly int _capacity;
    private readonly Opener _open;
    private bool _disposed;

    public FileHandleCache(int capacity, Opener open)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _open = open;
    }

    /// <summary>How many handles are open now (for tests).</summary>
    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// A lease on file <paramref name="fileIndex"/>'s handle, opening it when it is not cached. The lease's handle is
    /// null when the file does not exist and <paramref name="create"/> is false. Dispose the lease when done.
    /// </summary>
    public Lease Acquire(int fileIndex, bool create)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(fileIndex, out var cached))
            {
                return LeaseLocked(cached);
            }
        }

        // Opened outside the lock so that a slow open (or a folder being made) does not stall other files.
        var handle = _open(fileIndex, create);
        if (handle is null)
        {
            return default;
        }

        Lease lease;
        SafeFileHandle? duplicate = null;
        List<Entry>? evicted = null;
        lock (_gate)
        {
            if (_disposed)
            {
                handle.Dispose();
                ObjectDisposedException.ThrowIf(_disposed, this);
            }

            if (_entries.TryGetValue(fileIndex, out var raced))
            {
                // Another thread opened it meanwhile: use theirs.
                duplicate = handle;
                lease = LeaseLocked(raced);
            }
            else
            {
                var entry = new Entry(fileIndex, handle);
                entry.Node = _recent.AddFirst(entry);
                _entries.Add(fileIndex, entry);
                lease = LeaseLocked(entry);
                evicted = TrimLocked();
            }
        }

        duplicate?.Dispose();
        CloseAll(evicted);
        return lease;
    }

    /// <summary>
    /// Forgets file <paramref name="fileIndex"/>'s handle, so the next lease opens the file by its path again (after the
    /// file was replaced or deleted under us, the old handle reaches a file nobody sees). Closed when its leases end.
    /// </summary>
    public void Evict(int fileIndex)
    {
        Entry? idle = null;
        lock (_gate)
        {
            if (_disposed || !_entries.Remove(fileIndex, out var entry))
            {
                return;
            }

            if (entry.Node is { } node)
            {
                _recent.Remove(node);
                entry.Node = null;
            }

            entry.Evicted = true;
            if (entry.Users == 0)
            {
                idle = entry;
            }
        }

        idle?.Handle.Dispose();
    }

    public void Dispose()
    {
        List<Entry> idle = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var entry in _entries.Values)
            {
                entry.Evicted = true;
                if (entry.Users == 0)
                {
                    idle.Add(entry);
                }
            }

            _entries.Clear();
            _recent.Clear();
        }

        CloseAll(idle);
    }

    private Lease LeaseLocked(Entry entry)
    {
        entry.Users++;
        if (entry.Node is { } node && node.Previous is not null)
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
        }

        return new Lease(this, entry);
    }

    private void Release(Entry entry)
    {
        List<Entry>? evicted;
        lock (_gate)
        {
            entry.Users--;
            evicted = TrimLocked();
            if (entry.Evicted && entry.Users == 0 && !(evicted?.Contains(entry) ?? false))
            {
                (evicted ??= []).Add(entry);
            }
        }

        CloseAll(evicted);
    }

    /// <summary>Evicts idle handles, least recently used first, until the cache is within capacity; returns them to close.</summary>
    private List<Entry>? TrimLocked()
    {
        List<Entry>? evicted = null;
        var node = _recent.Last;
        while (_entries.Count > _capacity && node is not null)
        {
            var previous = node.Previous;
            var entry = node.Value;
            if (entry.Users == 0)
            {
                _recent.Remove(node);
                _entries.Remove(entry.FileIndex);
                entry.Node = null;
                entry.Evicted = true;
                (evicted ??= []).Add(entry);
            }

            node = previous;
        }

        return evicted;
    }

    private static void CloseAll(List<Entry>? entries)
    {
        if (entries is null)
        {
            return;
        }

        foreach (var entry in entries)
        {
            entry.Handle.Dispose();
        }
    }

    /// <summary>One open handle and how many leases hold it.</summary>
    internal sealed class Entry(int fileIndex, SafeFileHandle handle)
    {
        public int FileIndex { get; } = fileIndex;

        public SafeFileHandle Handle { get; } = handle;

        public int Users { get; set; }

        public bool Evicted { get; set; }

        public LinkedListNode<Entry>? Node { get; set; }
    }

    /// <summary>The use of one handle; <see cref="Handle"/> is null when the file does not exist. Dispose exactly once.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly FileHandleCache? _cache;
        private readonly Entry? _entry;

        internal Lease(FileHandleCache cache, Entry entry)
        {
            _cache = cache;
            _entry = entry;
        }

        public SafeFileHandle? Handle => _entry?.Handle;

        public void Dispose() => _cache?.Release(_entry!);
    }
}
