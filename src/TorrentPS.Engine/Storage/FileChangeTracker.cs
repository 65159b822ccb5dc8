using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Knows, for each file of a torrent and for its part file (the "sources" of its bytes), the stamp that our own writes
/// (or the check before them) left, and notices a source that changed otherwise: truncated, overwritten, replaced or
/// deleted by someone else while we held it. The pieces such a source holds are no longer trusted: resume data must not
/// vouch for them, and the torrent must not report them verified.
/// </summary>
/// <remarks>
/// <para>How: every write to a source happens under that source's gate (<see cref="Gate"/>), between
/// <see cref="BeforeWrite"/> (the file's last write time must still be what our previous write left) and
/// <see cref="AfterWrite"/> (the stamp our write left; also written to the <see cref="WriteJournal"/>, so a restart after
/// a kill can tell our writes from anyone else's). A checkpoint, and the end, stat every source by its path
/// (<see cref="Sweep"/>): a stamp that differs from the one we know is a change by someone else. A change made in the
/// same clock tick as one of our writes, with the same length, cannot be seen (file times are as fine as the file
/// system's clock: a few milliseconds on Linux); any later change can.</para>
/// <para>Costs, per piece written to a file: three <c>fstat</c> calls, a 32-byte and a 1-byte positional write, an
/// uncontended lock (the kernel serialises writes to one file anyway) and a shared read lock: about 3 µs of CPU measured
/// on tmpfs, so about 14 ms per GiB with 256 KiB pieces and 0.2 s per GiB with 16 KiB pieces. A Linux <c>statx</c>
/// call could take the three <c>fstat</c>s down to two.</para>
/// </remarks>
internal sealed class FileChangeTracker
{
    private readonly FileLayout _layout;
    private readonly Func<int, string?> _pathOf;
    private readonly Func<int[]> _partPieces;
    private readonly Action<int> _forgetHandle;
    private readonly ILogger _logger;
    private readonly Source[] _sources;
    private readonly object _untrustedGate = new();
    private readonly Bitfield _untrusted;
    private readonly List<string> _changedPaths = [];
    private WriteJournal? _journal;
    private long _taints;
    private volatile bool _anyUntrusted;

    /// <param name="pathOf">The path of a source (a file index, or <see cref="PartSource"/>); null for padding.</param>
    /// <param name="partPieces">The pieces that have a slot in the part file now.</param>
    /// <param name="forgetHandle">Drops the cached handle of a file replaced or deleted under us.</param>
    public FileChangeTracker(FileLayout layout, Func<int, string?> pathOf, Func<int[]> partPieces, Action<int> forgetHandle, ILogger logger)
    {
        _layout = layout;
        _pathOf = pathOf;
        _partPieces = partPieces;
        _forgetHandle = forgetHandle;
        _logger = logger;
        _sources = new Source[layout.FileCount + 1];
        for (var i = 0; i < _sources.Length; i++)
        {
            _sources[i] = new Source();
        }

        _untrusted = new Bitfield(layout.PieceCount);
    }

    /// <summary>The source index of the part file (after the torrent's files).</summary>
    public int PartSource => _layout.FileCount;

    /// <summary>How many changes by someone else were noticed so far.</summary>
    public long Taints => Interlocked.Read(ref _taints);

    /// <summary>The files (full paths) found changed by someone else in this run.</summary>
    public IReadOnlyList<string> ChangedPaths
    {
        get
        {
            lock (_untrustedGate)
            {
                return [.. _changedPaths];
            }
        }
    }

    /// <summary>The lock every write to <paramref name="source"/> (and every stat of it) is made under.</summary>
    public object Gate(int source) => _sources[source];

    /// <summary>Journals every write from now on (a run's journal, made fresh after its check).</summary>
    public void UseJournal(WriteJournal? journal) => Volatile.Write(ref _journal, journal);

    /// <summary>
    /// Starts tracking from what is on disk now (before the check): each source's stamp by its path, at
    /// <paramref name="generation"/> (the checkpoint generation later writes follow).
    /// </summary>
    public void Baseline(long generation)
    {
        for (var source = 0; source < _sources.Length; source++)
        {
            var s = _sources[source];
            lock (s)
            {
                s.Known = FileStamp.Of(_pathOf(source));
                s.Generation = generation;
            }
        }
    }

    /// <summary>
    /// Before a write to <paramref name="source"/> through <paramref name="handle"/>, under its gate: is the file still
    /// as our last write (or the check) left it? Returns true when this call found it changed (its pieces are then
    /// untrusted; the write goes ahead: what it writes is ours). <paramref name="length"/> is the file's length now
    /// (-1 when not tracked yet), for <see cref="AfterWrite"/>.
    /// </summary>
    public bool BeforeWrite(int source, SafeFileHandle handle, out long length)
    {
        var s = _sources[source];
        if (s.Known is not { } known)
        {
            length = -1;
            return false;
        }

        // A file that did not exist when last seen and is empty now was just created, by us, to take this write.
        length = RandomAccess.GetLength(handle);
        var changed = known.Exists
            ? length != known.Length || File.GetLastWriteTimeUtc(handle) != known.LastWriteTimeUtc
            : length != 0;
        if (!changed)
        {
            return false;
        }

        Taint(source, s, !known.Exists ? "it appeared" : length != known.Length ? "its length changed" : "its last write time moved");
        return true;
    }

    /// <summary>
    /// After a write to <paramref name="source"/>, under its gate: the stamp our write left. <paramref name="length"/>
    /// is the file's length after the write when the caller knows it (the length before it, from
    /// <see cref="BeforeWrite"/>, extended to the write's end: one <c>fstat</c> saved); otherwise it is read.
    /// </summary>
    public void AfterWrite(int source, SafeFileHandle handle, long length = -1)
    {
        var s = _sources[source];
        var stamp = new FileStamp(length >= 0 ? length : RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));
        s.Known = stamp;
        if (Volatile.Read(ref _journal) is { } journal)
        {
            try
            {
                journal.RecordStamp(source, s.Generation, stamp, s.TaintedSince >= 0);
            }
            catch (Exception ex) when (StorageErrors.IsIOFault(ex))
            {
                StopJournal(journal, ex);
            }
        }
    }

    /// <summary>We deleted <paramref name="source"/> ourselves (an empty part file), under its gate.</summary>
    public void Deleted(int source) => _sources[source].Known = FileStamp.Missing;

    /// <summary>
    /// Piece <paramref name="piece"/> was written: journalled, and when written <paramref name="whole"/> with no change
    /// noticed meanwhile but those its own writes found (<paramref name="ownTaints"/> since
    /// <paramref name="taintsBefore"/>), trusted again (its bytes are all ours, written after any change).
    /// </summary>
    public void PieceWritten(int piece, bool whole, long taintsBefore, int ownTaints)
    {
        if (Volatile.Read(ref _journal) is { } journal)
        {
            try
            {
                journal.MarkWritten(piece);
            }
            catch (Exception ex) when (StorageErrors.IsIOFault(ex))
            {
                StopJournal(journal, ex);
            }
        }

        if (!whole || !_anyUntrusted)
        {
            return;
        }

        lock (_untrustedGate)
        {
            if (_taints - taintsBefore == ownTaints)
            {
                _untrusted[piece] = false;
            }
        }
    }

    /// <summary>
    /// Stats every source by its path (a checkpoint, or the end): a stamp other than the one we know is a change by
    /// someone else (its pieces become untrusted, and a cached handle of it is dropped so the next write reopens it).
    /// With <paramref name="generation"/>, writes from now on follow that checkpoint generation. Returns the stamps, the
    /// part file's last.
    /// </summary>
    public FileStamp[] Sweep(long? generation)
    {
        var stamps = new FileStamp[_sources.Length];
        for (var source = 0; source < _sources.Length; source++)
        {
            var s = _sources[source];
            lock (s)
            {
                var now = FileStamp.Of(_pathOf(source));
                if (s.Known is { } known && known != now)
                {
                    Taint(source, s, now.Exists ? (known.Exists ? "its length or last write time moved" : "it appeared") : "it is gone");
                    if (source != PartSource)
                    {
                        _forgetHandle(source);
                    }
                }

                s.Known = now;
                if (generation is { } g)
                {
                    s.Generation = g;
                }

                stamps[source] = now;
            }
        }

        return stamps;
    }

    /// <summary>The record of checkpoint <paramref name="generation"/> is on disk: changes noticed before its sweep are in it (as pieces to check again).</summary>
    public void Committed(long generation)
    {
        foreach (var s in _sources)
        {
            lock (s)
            {
                if (s.TaintedSince >= 0 && s.TaintedSince < generation)
                {
                    s.TaintedSince = -1;
                }
            }
        }
    }

    /// <summary>The pieces held by a source that changed under us and not written again since (a copy).</summary>
    public Bitfield UntrustedPieces()
    {
        lock (_untrustedGate)
        {
            return _untrusted.Clone();
        }
    }

    private void Taint(int source, Source s, string how)
    {
        var path = _pathOf(source);
        var pieces = source == PartSource ? _partPieces() : null;
        if (source != PartSource && (_layout.IsPadding(source) || _layout.GetFileLength(source) == 0))
        {
            return; // holds no byte of any piece
        }

        if (s.TaintedSince < 0)
        {
            s.TaintedSince = s.Generation;
        }

        var count = 0;
        lock (_untrustedGate)
        {
            if (pieces is null)
            {
                var (first, last) = _layout.GetPieceRange(source);
                for (var piece = first; piece <= last; piece++, count++)
                {
                    _untrusted[piece] = true;
                }
            }
            else
            {
                foreach (var piece in pieces)
                {
                    _untrusted[piece] = true;
                    count++;
                }
            }

            _anyUntrusted = !_untrusted.IsEmpty;
            Interlocked.Increment(ref _taints);
            if (path is not null && !_changedPaths.Contains(path))
            {
                _changedPaths.Add(path);
            }
        }

        _logger.LogWarning(
            "{Path} was changed on disk by something other than this download ({How}): its {Count} pieces are no longer trusted and will be checked again",
            path,
            how,
            count);
    }

    private void StopJournal(WriteJournal journal, Exception error)
    {
        if (Interlocked.CompareExchange(ref _journal, null, journal) == journal)
        {
            _logger.LogWarning("Writing the journal {Path} failed ({Reason}); after a crash the files written since the last checkpoint are hashed again", journal.Path, error.Message);
        }
    }

    /// <summary>One source's state; its own instance is its gate.</summary>
    private sealed class Source
    {
        /// <summary>The stamp our last write (or the check) left; null before tracking starts.</summary>
        public FileStamp? Known { get; set; }

        /// <summary>The checkpoint generation writes now follow.</summary>
        public long Generation { get; set; }

        /// <summary>The generation in which a change by someone else was noticed and not yet recorded; -1 for none.</summary>
        public long TaintedSince { get; set; } = -1;
    }
}
