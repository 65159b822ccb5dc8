using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Rates;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Checks a torrent's data on disk against its piece hashes. Each file is read once, in large sequential reads
/// (<see cref="TorrentVerifierOptions.ReadSize"/>), and when there is much to check the pieces are hashed on every core:
/// the pieces to check are cut into runs of about one read each, and workers take the runs in order, each reading its
/// run and hashing its pieces, so reading and hashing overlap and the files are still read front to back. Data known to
/// be absent (a file missing or too short) is never read: its pieces are missing at once.
/// </summary>
public sealed class TorrentVerifier
{
    private readonly TorrentVerifierOptions _options;
    private readonly ILogger _logger;

    public TorrentVerifier(TorrentVerifierOptions? options = null, ILogger<TorrentVerifier>? logger = null)
    {
        _options = options ?? TorrentVerifierOptions.Default;
        if (_options.ReadSize < 16 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.ReadSize, "Reads are at least 16 KiB.");
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private enum PieceState : byte
    {
        NotChecked,
        ToCheck,
        Valid,
        Invalid,
        Missing,
    }

    /// <summary>
    /// Checks <paramref name="torrent"/>'s data at <paramref name="location"/>: every piece, or only those in
    /// <paramref name="onlyPieces"/> (the others then appear in none of the result's piece lists). Reports progress
    /// from worker threads; stops at once when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="selection">
    /// The files chosen: when given, the bytes of skipped files are read where a selective download keeps them (the part
    /// file, for pieces shared with a chosen file), only the pieces of chosen files are checked (unless
    /// <paramref name="onlyPieces"/> says which), skipped files are reported <see cref="FileVerificationStatus.Skipped"/>
    /// (absent by choice), and the data is complete when every chosen file is.
    /// </param>
    /// <exception cref="StorageException">A file exists but cannot be read (StorageAccessDenied, FileLocked, StorageFailed).</exception>
    /// <exception cref="OperationCanceledException">The check was cancelled.</exception>
    public async Task<VerificationResult> VerifyAsync(
        TorrentInfo torrent,
        ContentLocation location,
        IProgress<VerificationProgress>? progress,
        CancellationToken cancellationToken,
        Bitfield? onlyPieces = null,
        FileSelection? selection = null)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentNullException.ThrowIfNull(location);
        var started = Stopwatch.GetTimestamp();
        var layout = FileLayout.For(torrent);
        if (onlyPieces is not null && onlyPieces.Length != layout.PieceCount)
        {
            throw new ArgumentException($"The piece set has {onlyPieces.Length} pieces, the torrent {layout.PieceCount}.", nameof(onlyPieces));
        }

        if (location.InfoHash != torrent.Hash)
        {
            throw new ArgumentException("The location was made for another torrent.", nameof(location));
        }

        if (selection is not null && selection.FileCount != layout.FileCount)
        {
            throw new ArgumentException($"The selection is for {selection.FileCount} files, the torrent has {layout.FileCount}.", nameof(selection));
        }

        onlyPieces ??= selection?.WantedPieces(layout);

        cancellationToken.ThrowIfCancellationRequested();
        var stamps = new FileStamp[layout.FileCount];
        for (var i = 0; i < stamps.Length; i++)
        {
            stamps[i] = FileStamp.Of(location.GetFilePath(i));
        }

        long bytesChecked;
        var states = new PieceState[layout.PieceCount];
        for (var piece = 0; piece < states.Length; piece++)
        {
            states[piece] = onlyPieces is null || onlyPieces[piece] ? PieceState.ToCheck : PieceState.NotChecked;
        }

        using (var store = new PieceStore(layout, location, new PieceStoreOptions { ReadOnly = true, MaxOpenFiles = 8 }, selection: selection))
        {
            // Pieces with a slot in the part file read part of their bytes from it: each is a run of its own, so that a
            // slot cut short costs only its piece.
            var inPartFile = new bool[layout.PieceCount];
            if (selection is not null && selection.SelectedCount < layout.FileCount)
            {
                foreach (var piece in ReadPartPieces(store))
                {
                    inPartFile[piece] = true;
                }
            }

            MarkAbsentData(layout, stamps, states, selection, inPartFile);
            var runs = PieceRuns.Plan(layout, piece => states[piece] == PieceState.ToCheck, _options.ReadSize, out var total, alone: piece => inPartFile[piece]);
            progress?.Report(new VerificationProgress(0, total));
            var pass = new Pass(layout, torrent, states, runs, _options.ReadSize, total, progress);
            var workers = total < _options.ParallelThreshold ? 1 : Math.Clamp(_options.MaxParallelism, 1, Math.Max(1, runs.Count));
            await pass.RunAsync(store, workers, cancellationToken).ConfigureAwait(false);
            bytesChecked = pass.BytesChecked;
        }

        var result = BuildResult(torrent, location, layout, stamps, states, selection, Stopwatch.GetElapsedTime(started), bytesChecked);
        _logger.LogDebug(
            "Checked {Name} at {Path}: {Valid}/{Count} pieces valid, {Invalid} invalid, {Missing} missing, {Bytes} bytes hashed in {Elapsed}",
            torrent.Name,
            location.ContentPath,
            result.ValidPieceCount,
            result.PieceCount,
            result.InvalidPieces.Count,
            result.MissingPieces.Count,
            result.BytesChecked,
            result.ElapsedSpan);
        return result;
    }

    private static int[] ReadPartPieces(PieceStore store)
    {
        try
        {
            return store.PartPieces;
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, store.PartFilePath, writing: false);
        }
    }

    /// <summary>
    /// Pieces to check that hold bytes beyond the end of their file on disk (or of a file not there) are missing; for a
    /// skipped file, only those without a slot in the part file (the slot holds the skipped file's bytes).
    /// </summary>
    private static void MarkAbsentData(FileLayout layout, FileStamp[] stamps, PieceState[] states, FileSelection? selection, bool[] inPartFile)
    {
        for (var file = 0; file < layout.FileCount; file++)
        {
            var length = layout.GetFileLength(file);
            var present = Math.Max(0, stamps[file].Length);
            if (layout.IsPadding(file) || present >= length)
            {
                continue;
            }

            var skipped = selection is not null && !selection.IsSelected(file);
            var offset = layout.GetFileOffset(file);
            var first = (int)((offset + present) / layout.PieceLength);
            var last = (int)((offset + length - 1) / layout.PieceLength);
            for (var piece = first; piece <= last; piece++)
            {
                if (states[piece] == PieceState.ToCheck && !(skipped && inPartFile[piece]))
                {
                    states[piece] = PieceState.Missing;
                }
            }
        }
    }

    private static VerificationResult BuildResult(
        TorrentInfo torrent,
        ContentLocation location,
        FileLayout layout,
        FileStamp[] stamps,
        PieceState[] states,
        FileSelection? selection,
        TimeSpan elapsed,
        long bytesChecked)
    {
        var valid = new Bitfield(states.Length);
        var invalid = new List<int>();
        var missing = new List<int>();
        for (var piece = 0; piece < states.Length; piece++)
        {
            switch (states[piece])
            {
                case PieceState.Valid:
                    valid[piece] = true;
                    break;
                case PieceState.Invalid:
                    invalid.Add(piece);
                    break;
                case PieceState.Missing:
                    missing.Add(piece);
                    break;
            }
        }

        var files = new List<FileVerification>(layout.FileCount);
        for (var file = 0; file < layout.FileCount; file++)
        {
            if (layout.IsPadding(file))
            {
                continue;
            }

            var skipped = selection is not null && !selection.IsSelected(file);
            var complete = !skipped && stamps[file].Length >= layout.GetFileLength(file);
            var (first, last) = layout.GetPieceRange(file);
            for (var piece = first; complete && piece <= last; piece++)
            {
                complete = valid[piece];
            }

            var status = skipped ? FileVerificationStatus.Skipped
                : complete ? FileVerificationStatus.Complete
                : stamps[file].Exists ? FileVerificationStatus.Incomplete
                : FileVerificationStatus.Missing;
            files.Add(new FileVerification(file, location.GetFilePath(file)!, torrent.Files[file].Path, layout.GetFileLength(file), stamps[file], status));
        }

        var wanted = selection?.WantedPieces(layout);
        return new VerificationResult(torrent, location, valid, [.. invalid], [.. missing], [.. files], elapsed, bytesChecked, selection, wanted);
    }

    /// <summary>One check's shared state: the runs, the next one to take, the bytes done. Workers write distinct pieces' states.</summary>
    private sealed class Pass(
        FileLayout layout,
        TorrentInfo torrent,
        PieceState[] states,
        List<(int First, int Last)> runs,
        int readSize,
        long total,
        IProgress<VerificationProgress>? progress)
    {
        private readonly ProgressRate _rate = new();
        private long _bytesChecked;

        public long BytesChecked => Interlocked.Read(ref _bytesChecked);

        public Task RunAsync(PieceStore store, int workers, CancellationToken cancellationToken)
            => PieceRuns.RunAsync(runs, workers, () => new Worker(this, store, readSize), cancellationToken);

        /// <summary>Reads pieces <paramref name="first"/> to <paramref name="last"/> front to back and hashes each as its last byte arrives.</summary>
        private void CheckRun(PieceStore store, int first, int last, Span<byte> buffer, IncrementalHash sha1, CancellationToken stop, CancellationToken cancellationToken)
        {
            var offset = layout.GetPieceOffset(first);
            var end = layout.GetPieceOffset(last) + layout.GetPieceSize(last);
            var piece = first;
            var pieceFilled = 0;
            var allZeros = true;
            while (offset < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stop.ThrowIfCancellationRequested();
                var want = (int)Math.Min(buffer.Length, end - offset);
                var read = store.ReadAt(offset, buffer[..want]);
                var data = buffer[..read];
                while (data.Length > 0)
                {
                    var take = Math.Min(data.Length, layout.GetPieceSize(piece) - pieceFilled);
                    var part = data[..take];
                    sha1.AppendData(part);
                    allZeros = allZeros && !part.ContainsAnyExcept((byte)0);
                    pieceFilled += take;
                    data = data[take..];
                    if (pieceFilled == layout.GetPieceSize(piece))
                    {
                        // All zeros that fail the hash were never written (a hole in a sparse file): missing, not invalid.
                        states[piece] = PieceHash.Matches(sha1, torrent.GetPieceHash(piece)) ? PieceState.Valid
                            : allZeros ? PieceState.Missing
                            : PieceState.Invalid;
                        piece++;
                        pieceFilled = 0;
                        allZeros = true;
                    }
                }

                Report(read);
                if (read < want)
                {
                    // A file shrank or vanished since the check began: what was not read is missing.
                    Span<byte> discard = stackalloc byte[PieceHash.Length];
                    sha1.TryGetHashAndReset(discard, out _);
                    for (; piece <= last; piece++)
                    {
                        states[piece] = PieceState.Missing;
                    }

                    return;
                }

                offset += read;
            }
        }

        private void Report(int bytes)
        {
            var done = Interlocked.Add(ref _bytesChecked, bytes);
            if (progress is not null)
            {
                var (rate, remaining) = _rate.Update(done, total);
                progress.Report(new VerificationProgress(done, total, rate, remaining));
            }
        }

        /// <summary>One thread's buffer and SHA-1 state.</summary>
        private sealed class Worker(Pass pass, PieceStore store, int readSize) : PieceRunWorker
        {
            private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(readSize);
            private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

            public override void Process(int first, int last, CancellationToken stop, CancellationToken cancellationToken)
                => pass.CheckRun(store, first, last, _buffer.AsSpan(0, readSize), _sha1, stop, cancellationToken);

            public override void Dispose()
            {
                _sha1.Dispose();
                ArrayPool<byte>.Shared.Return(_buffer);
                base.Dispose();
            }
        }
    }
}
