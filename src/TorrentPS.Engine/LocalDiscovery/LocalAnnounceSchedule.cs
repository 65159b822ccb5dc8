using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>
/// When local discovery sends what: each torrent as soon as it is added and then once per announce interval (a torrent
/// removed and added again waits out its interval), batched as many to a datagram as fit, and one datagram at a time,
/// at least the datagram interval apart whatever group it goes to. A batch goes to every group in turn (one datagram
/// per group). Not thread-safe: <see cref="LocalPeerDiscovery"/> holds it under its lock. Times are
/// <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class LocalAnnounceSchedule
{
    private readonly long _interval;
    private readonly long _spacing;
    private readonly int _groups;
    private readonly int _maxPerDatagram;
    private readonly Dictionary<InfoHash, long> _dueAt = new();
    private readonly Dictionary<InfoHash, long> _announcedAt = new();
    private readonly Queue<(int Group, InfoHash[] Batch)> _pending = new();
    private long? _lastSentAt;

    public LocalAnnounceSchedule(long interval, long spacing, int groups, int maxPerDatagram)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerDatagram, 1);
        _interval = interval;
        _spacing = spacing;
        _groups = groups;
        _maxPerDatagram = maxPerDatagram;
    }

    /// <summary>The torrents being announced.</summary>
    public int Count => _dueAt.Count;

    /// <summary>Starts announcing <paramref name="infoHash"/>: now, or once its interval since the last announce has passed.</summary>
    public void Add(InfoHash infoHash, long now)
    {
        if (_dueAt.ContainsKey(infoHash))
        {
            return;
        }

        Forget(now);
        _dueAt[infoHash] = _announcedAt.TryGetValue(infoHash, out var last) ? Math.Max(now, last + _interval) : now;
    }

    /// <summary>Stops announcing it (a batch already on its way to the other groups still names it).</summary>
    public void Remove(InfoHash infoHash) => _dueAt.Remove(infoHash);

    /// <summary>When <see cref="TryTake"/> may next give a datagram; null when nothing is to be announced.</summary>
    public long? NextAt()
    {
        long? work = _pending.Count > 0 ? long.MinValue : null;
        foreach (var due in _dueAt.Values)
        {
            work = work is null ? due : Math.Min(work.Value, due);
        }

        if (work is null)
        {
            return null;
        }

        return _lastSentAt is { } last ? Math.Max(work.Value, last + _spacing) : work.Value;
    }

    /// <summary>The datagram to send now, if one is due and the last one was long enough ago: its group and torrents.</summary>
    public bool TryTake(long now, out int group, List<InfoHash> batch)
    {
        group = 0;
        batch.Clear();
        if (_lastSentAt is { } last && now < last + _spacing)
        {
            return false;
        }

        if (_pending.Count == 0 && !Batch(now))
        {
            return false;
        }

        var (next, hashes) = _pending.Dequeue();
        group = next;
        batch.AddRange(hashes);
        _lastSentAt = now;
        return true;
    }

    /// <summary>Queues the torrents due now (earliest first, as many as fit) for every group.</summary>
    private bool Batch(long now)
    {
        var due = new List<KeyValuePair<InfoHash, long>>();
        foreach (var entry in _dueAt)
        {
            if (entry.Value <= now)
            {
                due.Add(entry);
            }
        }

        if (due.Count == 0)
        {
            return false;
        }

        due.Sort(static (a, b) => a.Value.CompareTo(b.Value));
        var batch = new InfoHash[Math.Min(due.Count, _maxPerDatagram)];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = due[i].Key;
            _dueAt[batch[i]] = now + _interval;
            _announcedAt[batch[i]] = now;
        }

        for (var group = 0; group < _groups; group++)
        {
            _pending.Enqueue((group, batch));
        }

        return true;
    }

    /// <summary>Forgets when removed torrents were announced once their interval has passed (keeps the memory bounded).</summary>
    private void Forget(long now)
    {
        List<InfoHash>? stale = null;
        foreach (var (hash, at) in _announcedAt)
        {
            if (!_dueAt.ContainsKey(hash) && at + _interval <= now)
            {
                (stale ??= []).Add(hash);
            }
        }

        foreach (var hash in stale ?? [])
        {
            _announcedAt.Remove(hash);
        }
    }
}
