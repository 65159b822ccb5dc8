using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A torrent's files on disk: pieces written and read through a <see cref="PieceStore"/>, the check through
/// <see cref="ExistingData"/>, checkpoints as resume data (the info dictionary included, so a magnet download restarted
/// needs no second metadata fetch; the file selection included, so a restart keeps it).
/// </summary>
/// <remarks>
/// <para><b>Selection.</b> The selection given to the constructor wins; without one, the one the resume data recorded;
/// without that, every file. Skipped files are never created (see <see cref="PieceStore"/> for the part file).</para>
/// <para><b>Resume and crashes.</b> The check ends by saving a fresh record (what it found, the stamps now) and starting
/// an empty <see cref="WriteJournal"/>; each later write is journalled, so after a kill -9 the next run trusts the last
/// record wherever the files' stamps are what our own writes left, and hashes the pieces written after it instead of
/// fetching them again. A file changed by something else while we run is noticed (before each of our writes to it, and
/// at each checkpoint by its stamp): its pieces are left out of the record (and marked to be hashed at the next start),
/// and <see cref="FindChangedPieces"/> tells the loop which it must not report as verified.</para>
/// </remarks>
internal sealed class FileTorrentData : ITorrentData
{
    private readonly TorrentInfo _torrent;
    private readonly ContentLocation _location;
    private readonly FileLayout _layout;
    private readonly PieceStore _store;
    private readonly ILogger _logger;
    private readonly FileSelection? _requested;
    private readonly object _checkpointGate = new();
    private FileSelection _selection;
    private WriteJournal? _journal;
    private long _generation;

    /// <param name="selection">The files to download and their priorities; null keeps the selection of the resume data (every file when there is none).</param>
    public FileTorrentData(TorrentInfo torrent, ContentLocation location, ILoggerFactory? loggers = null, bool readOnly = false, FileSelection? selection = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentNullException.ThrowIfNull(location);
        if (selection is not null && selection.FileCount != torrent.Files.Count)
        {
            throw new ArgumentException($"The selection is for {selection.FileCount} files, the torrent has {torrent.Files.Count}.", nameof(selection));
        }

        _torrent = torrent;
        _location = location;
        _requested = selection;
        _selection = selection ?? FileSelection.All(torrent.Files.Count);
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<FileTorrentData>();
        _layout = FileLayout.For(torrent);
        _store = new PieceStore(_layout, location, new PieceStoreOptions { ReadOnly = readOnly }, loggers.CreateLogger<PieceStore>(), selection);
    }

    public IPieceStorage Storage => _store;

    public string ContentPath => _location.ContentPath;

    public ContentLocation Location => _location;

    /// <summary>The full paths of the chosen files (padding excluded; every file until <see cref="CheckAsync"/> knows the selection).</summary>
    public IReadOnlyList<string> FilePaths
    {
        get
        {
            var selection = Selection;
            var paths = new List<string>();
            for (var i = 0; i < _torrent.Files.Count; i++)
            {
                if (selection.IsSelected(i) && _location.GetFilePath(i) is { } path)
                {
                    paths.Add(path);
                }
            }

            return paths;
        }
    }

    /// <inheritdoc cref="ITorrentData.Selection"/>
    public FileSelection Selection => Volatile.Read(ref _selection);

    /// <inheritdoc cref="ITorrentData.WantedPieces"/>
    public Bitfield WantedPieces => Selection.WantedPieces(_layout);

    /// <inheritdoc cref="ITorrentData.PiecePriorities"/>
    public IReadOnlyList<FilePriority> PiecePriorities => Selection.PiecePriorities(_layout);

    /// <summary>The files found changed on disk by something other than this download (full paths), for messages.</summary>
    public IReadOnlyList<string> ChangedFiles => _store.ChangedFiles;

    FileSelection? ITorrentData.Selection => Selection;

    Bitfield? ITorrentData.WantedPieces => WantedPieces;

    IReadOnlyList<FilePriority>? ITorrentData.PiecePriorities => PiecePriorities;

    public async Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken)
    {
        _store.BeginTracking(0);
        var resume = ResumeData.TryLoad(_location.ResumePath, _torrent, _logger);
        var journal = _store.IsReadOnly ? null : WriteJournal.TryRead(WriteJournal.PathFor(_location), _torrent.Hash, _layout.FileCount + 1, _layout.PieceCount);
        // Past every generation the record or the journal knows: this run's journal entries never pass for older ones.
        _generation = resume?.Generation ?? 0;
        foreach (var entry in journal?.Stamps ?? [])
        {
            _generation = Math.Max(_generation, entry?.Generation ?? 0);
        }

        var selection = _requested ?? resume?.Selection ?? FileSelection.All(_torrent.Files.Count);
        if (_requested is not null && resume is not null && !_requested.Equals(resume.Selection ?? FileSelection.All(_torrent.Files.Count)))
        {
            _logger.LogInformation("{Name}: the file selection changed since the last run ({Selection})", _torrent.Name, _requested);
        }

        Volatile.Write(ref _selection, selection);
        var verified = await ExistingData.CheckAsync(
            _torrent,
            _location,
            resume,
            journal,
            selection,
            _store,
            progress is null ? null : new BytesProgress(progress),
            _logger,
            cancellationToken).ConfigureAwait(false);
        if (!_store.IsReadOnly)
        {
            lock (_checkpointGate)
            {
                StartRun(verified, saveRecord: resume is not null || !verified.IsEmpty || (_requested is not null && !_requested.Equals(FileSelection.All(_torrent.Files.Count))));
            }
        }

        return verified;
    }

    /// <inheritdoc cref="ITorrentData.Checkpoint"/>
    /// <exception cref="StorageException">
    /// DataChangedOnDisk, from the final checkpoint (after its record is saved): pieces of <paramref name="verified"/>
    /// are held by files that changed on disk under this download, so the run must not end as complete. Also the
    /// errors of writing (DiskFull, StorageAccessDenied, StorageFailed...).
    /// </exception>
    public void Checkpoint(Bitfield verified, bool final)
    {
        ArgumentNullException.ThrowIfNull(verified);
        lock (_checkpointGate)
        {
            if (!_store.IsReadOnly && Covers(verified, WantedPieces))
            {
                // Zero-length files hold no piece, so no write ever creates them: a complete torrent has them too.
                _store.CreateEmptyFiles();
            }

            _store.Flush();
            var changed = SaveRecord(verified);
            if (!final)
            {
                return;
            }

            if (_journal is not null)
            {
                // Nothing writes after the final checkpoint, and its record says everything: the journal has no more use.
                _store.UseJournal(null);
                _journal.Delete();
                _journal = null;
            }

            if (!changed.IsEmpty)
            {
                // The record is saved (without them); the run must not end as if they were good.
                throw StorageException.DataChanged(ContentPath, _store.ChangedFiles, changed.Count);
            }
        }
    }

    public Bitfield FindChangedPieces(Bitfield verified)
    {
        ArgumentNullException.ThrowIfNull(verified);
        lock (_checkpointGate)
        {
            _store.SweepStamps(generation: null);
            return Intersect(verified, _store.UntrustedPieces());
        }
    }

    public Bitfield ChangeSelection(FileSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.FileCount != _torrent.Files.Count)
        {
            throw new ArgumentException($"The selection is for {selection.FileCount} files, the torrent has {_torrent.Files.Count}.", nameof(selection));
        }

        lock (_checkpointGate)
        {
            _store.ApplySelection(selection, IsGood);
            Volatile.Write(ref _selection, selection);
            _logger.LogInformation("{Name}: the file selection is now {Selection}", _torrent.Name, selection);
        }

        return WantedPieces;
    }

    public void Dispose()
    {
        _store.Dispose();
        _journal?.Dispose();
    }

    /// <summary>
    /// After the check: the record says what the check found, with the stamps now, and the journal starts empty after it.
    /// Neither failing stops the download (a checkpoint will try the record again; without a journal a crash costs a
    /// re-hash of the files written since the last checkpoint, as it always did).
    /// </summary>
    private void StartRun(Bitfield verified, bool saveRecord)
    {
        try
        {
            if (saveRecord)
            {
                SaveRecord(verified);
            }
        }
        catch (StorageException ex)
        {
            _logger.LogWarning("{Name}: saving the resume data after the check failed: {Reason}", _torrent.Name, ex.Message);
        }

        try
        {
            _journal = WriteJournal.Create(WriteJournal.PathFor(_location), _torrent.Hash, _layout.FileCount + 1, _layout.PieceCount);
            _store.UseJournal(_journal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("{Name}: cannot keep a journal of writes at {Path} ({Reason}); after a crash the files written since the last checkpoint are hashed again", _torrent.Name, WriteJournal.PathFor(_location), ex.Message);
        }
    }

    private bool IsGood(int piece, ReadOnlySpan<byte> data) => PieceHash.Matches(data, _torrent.GetPieceHash(piece));

    /// <summary>
    /// Writes the record of the next checkpoint generation: the verified pieces less those held by a file changed under
    /// us (those are marked to be hashed at the next start), the stamps now, the selection. Under the checkpoint gate.
    /// </summary>
    /// <returns>The pieces of <paramref name="verified"/> left out because their files changed under us.</returns>
    private Bitfield SaveRecord(Bitfield verified)
    {
        var generation = _generation + 1;
        var stamps = _store.SweepStamps(generation);
        var changed = Intersect(verified, _store.UntrustedPieces());
        var vouched = verified.Clone();
        foreach (var piece in changed.Indexes())
        {
            vouched[piece] = false;
        }

        var selection = Selection;
        var record = new ResumeData(_torrent.Hash, vouched, stamps[.._layout.FileCount], _torrent.GetRawInfo(), _torrent.TrackerTiers)
        {
            Generation = generation,
            Selection = selection.Equals(FileSelection.All(selection.FileCount)) ? null : selection,
            RecheckPieces = changed,
            PartFileStamp = stamps[_layout.FileCount],
        };
        record.Save(_location.ResumePath);
        _generation = generation;
        _store.Committed(generation);
        if (!changed.IsEmpty)
        {
            _logger.LogWarning("{Name}: {Count} verified pieces are not saved as verified: files holding them changed on disk under this download", _torrent.Name, changed.Count);
        }

        return changed;
    }

    private static Bitfield Intersect(Bitfield a, Bitfield b)
    {
        var both = new Bitfield(a.Length);
        for (var piece = b.NextIndex(0); piece >= 0; piece = b.NextIndex(piece + 1))
        {
            both[piece] = a[piece];
        }

        return both;
    }

    /// <summary>Whether every piece of <paramref name="wanted"/> is in <paramref name="verified"/>.</summary>
    private static bool Covers(Bitfield verified, Bitfield wanted)
    {
        for (var piece = wanted.NextIndex(0); piece >= 0; piece = wanted.NextIndex(piece + 1))
        {
            if (!verified[piece])
            {
                return false;
            }
        }

        return true;
    }

    private sealed class BytesProgress(IProgress<long> bytes) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value) => bytes.Report(value.BytesChecked);
    }
}
