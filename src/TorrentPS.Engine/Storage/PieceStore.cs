using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Reads and writes a torrent's blocks in its files with positional I/O (<see cref="RandomAccess"/>) on a bounded
/// cache of open handles. Thread-safe: any thread may read or write any block; blocks of different pieces may be
/// written concurrently (the blocks of one piece by one thread at a time). Files are created only when a block lands in
/// them, sparse (nothing is preallocated), with their folders made on demand. Every fault is a
/// <see cref="StorageException"/> naming the file.
/// </summary>
/// <remarks>
/// <para><b>File selection.</b> With a <see cref="FileSelection"/> that skips files, skipped files are never created: a
/// piece that holds bytes of a skipped file is written whole to its slot in the <see cref="PartFile"/> (in the resume
/// folder), and the bytes it holds of chosen files go to those files as well. Reads find every byte where it lives: a
/// chosen file's bytes in the file, a skipped file's in the piece's slot (or in the file, when an earlier selection left
/// it on disk and the piece has no slot). <see cref="ApplySelection"/> changes the selection: the bytes of newly chosen
/// files are copied from their slots into the files (decided: moved into the real file, so a chosen file is always
/// whole on its own, and no read of a chosen file ever goes to the part file), and slots no skipped file needs are
/// freed.</para>
/// <para><b>Changes by others.</b> Every write goes through a <see cref="FileChangeTracker"/>, which notices a file
/// changed under us by someone else and stops trusting the pieces it holds (<see cref="UntrustedPieces"/>), and journals
/// what our writes did (<see cref="WriteJournal"/>) so that a restart after a kill can trust the last checkpoint.</para>
/// <para>The I/O is synchronous on purpose. The download engine completes, hashes and writes a piece on the thread that
/// received its last block (a peer's receiving thread). When the disk is slow, that thread blocks in
/// <see cref="Write"/>, stops reading its socket, the socket's receive window fills and TCP slows the peer down: that is
/// the back-pressure the design asks for, with no queue of pending writes in between (a queue would only add a thread
/// hop per piece and memory to bound). Nothing here buffers data: when <see cref="Write"/> returns, the bytes are in
/// the operating system's cache (<see cref="Flush"/> takes them to the disk at checkpoints).</para>
/// </remarks>
internal sealed class PieceStore : IPieceStorage, IDisposable
{
    private readonly FileHandleCache _handles;
    private readonly ILogger _logger;
    private readonly PartFile _part;
    private readonly FileChangeTracker _tracker;

    /// <summary>
    /// Writes hold it shared; a change of selection holds it alone (so no write lands by the old routing after the bytes
    /// were moved). Never disposed: a write may still be leaving it when the store is disposed, and it holds no handle
    /// until it is contended.
    /// </summary>
    private readonly ReaderWriterLockSlim _routingLock = new(LockRecursionPolicy.NoRecursion);

    /// <summary>Per file, 1 when written since the last <see cref="Flush"/>.</summary>
    private readonly int[] _written;

    private volatile Routing _routing;
    private int _partWritten;

    /// <param name="selection">The files to keep (null: all); see <see cref="ApplySelection"/> to change it later.</param>
    public PieceStore(FileLayout layout, ContentLocation location, PieceStoreOptions? options = null, ILogger<PieceStore>? logger = null, FileSelection? selection = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(location);
        if (location.FileCount != layout.FileCount)
        {
            throw new ArgumentException($"The location has {location.FileCount} files, the layout {layout.FileCount}.", nameof(location));
        }

        options ??= PieceStoreOptions.Default;
        Layout = layout;
        Location = location;
        IsReadOnly = options.ReadOnly;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _handles = new FileHandleCache(Math.Max(1, options.MaxOpenFiles), Open);
        _written = new int[layout.FileCount];
        _routing = new Routing(layout, CheckSelection(layout, selection));
        _part = new PartFile(PartFile.PathFor(location), location.InfoHash, layout.PieceLength, layout.PieceCount, IsReadOnly);
        _tracker = new FileChangeTracker(layout, SourcePath, () => _part.Pieces, _handles.Evict, _logger);
    }

    public FileLayout Layout { get; }

    public ContentLocation Location { get; }

    public bool IsReadOnly { get; }

    /// <summary>How many file handles are open now.</summary>
    public int OpenFileCount => _handles.OpenCount;

    /// <summary>The files kept; null when all are.</summary>
    public FileSelection? Selection => _routing.Selection;

    /// <summary>The part file's path (it exists only while a piece needs it).</summary>
    public string PartFilePath => _part.Path;

    /// <summary>The pieces that have a slot in the part file.</summary>
    internal int[] PartPieces => _part.Pieces;

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="begin"/> in piece <paramref name="piece"/>, into every file it
    /// spans (padding files are skipped). Creates files and folders as needed.
    /// </summary>
    /// <exception cref="StorageException">DiskFull, StorageAccessDenied, PathIsDirectory, PathIsFile, FileLocked or StorageFailed.</exception>
    /// <exception cref="InvalidOperationException">The store is read-only.</exception>
    public void Write(int piece, int begin, ReadOnlySpan<byte> data)
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException("The piece store is read-only.");
        }

        _routingLock.EnterReadLock();
        try
        {
            var routing = _routing;
            var taintsBefore = _tracker.Taints;
            var ownTaints = 0;
            if (routing.TouchesSkippedFile(Layout, piece) && WritePart(piece, begin, data))
            {
                ownTaints++;
            }

            foreach (var span in Layout.GetSpans(piece, begin, data.Length))
            {
                if (!Layout.IsPadding(span.FileIndex) && !routing.IsSkipped(span.FileIndex) && WriteFile(span.FileIndex, span.FileOffset, data.Slice(span.BufferOffset, span.Length)))
                {
                    ownTaints++;
                }
            }

            _tracker.PieceWritten(piece, begin == 0 && data.Length == Layout.GetPieceSize(piece), taintsBefore, ownTaints);
        }
        finally
        {
            _routingLock.ExitReadLock();
        }
    }

    /// <inheritdoc cref="Write"/>
    public void WritePiece(int piece, ReadOnlySpan<byte> data) => Write(piece, 0, data);

    /// <summary>
    /// Reads <paramref name="destination"/>'s length of bytes at <paramref name="begin"/> in piece <paramref name="piece"/>.
    /// Returns how many bytes are present from the start: a missing file, or one shorter than the torrent says, ends the
    /// read there (the rest of <paramref name="destination"/> is left as it was). Padding reads as zeros. Never creates anything.
    /// </summary>
    /// <exception cref="StorageException">A file cannot be read (StorageAccessDenied, PathIsDirectory, FileLocked, StorageFailed).</exception>
    public int Read(int piece, int begin, Span<byte> destination)
        => ReadSpans(Layout.GetSpans(piece, begin, destination.Length), Layout.GetPieceOffset(piece) + begin, destination);

    /// <summary>As <see cref="Read"/>, for bytes at <paramref name="offset"/> in the whole content (may span pieces).</summary>
    internal int ReadAt(long offset, Span<byte> destination)
        => ReadSpans(Layout.GetSpans(offset, destination.Length), offset, destination);

    /// <summary>
    /// Flushes every file written since the last flush to the disk (for checkpoints), reopening those whose handle the
    /// cache closed meanwhile (closing a handle does not flush it). Nothing to do on a read-only store.
    /// </summary>
    /// <exception cref="StorageException">The disk refused (DiskFull, StorageFailed).</exception>
    public void Flush()
    {
        if (IsReadOnly)
        {
            return;
        }

        if (Interlocked.Exchange(ref _partWritten, 0) != 0)
        {
            try
            {
                _part.Flush();
            }
            catch (Exception ex) when (StorageErrors.IsIOFault(ex))
            {
                Volatile.Write(ref _partWritten, 1);
                throw StorageErrors.Classify(ex, _part.Path, writing: true);
            }
        }

        for (var fileIndex = 0; fileIndex < _written.Length; fileIndex++)
        {
            // Cleared first: a write racing with the flush marks the file again for the next one.
            if (Interlocked.Exchange(ref _written[fileIndex], 0) == 0)
            {
                continue;
            }

            try
            {
                using var lease = _handles.Acquire(fileIndex, create: false);
                if (lease.Handle is { } handle)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }
            catch (Exception ex) when (StorageErrors.IsIOFault(ex))
            {
                Volatile.Write(ref _written[fileIndex], 1);
                throw StorageErrors.Classify(ex, PathOf(fileIndex), writing: true);
            }
        }
    }

    /// <summary>
    /// Each file's <see cref="FileStamp"/> now (length and last write time; <see cref="FileStamp.Missing"/> for a file not
    /// on disk and for padding files), indexed as the torrent's files. Call after <see cref="Flush"/> at a checkpoint.
    /// </summary>
    public IReadOnlyList<FileStamp> GetFileStamps()
    {
        var stamps = new FileStamp[Layout.FileCount];
        for (var i = 0; i < stamps.Length; i++)
        {
            stamps[i] = FileStamp.Of(Location.GetFilePath(i));
        }

        return stamps;
    }

    /// <summary>
    /// Creates the torrent's zero-length files that do not exist yet (no block ever lands in them, so writes never make
    /// them), those the selection keeps: call when the download completes.
    /// </summary>
    public void CreateEmptyFiles()
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException("The piece store is read-only.");
        }

        for (var i = 0; i < Layout.FileCount; i++)
        {
            if (Layout.GetFileLength(i) == 0 && !Layout.IsPadding(i) && _routing.Selection?.IsSelected(i) != false && !File.Exists(PathOf(i)))
            {
                try
                {
                    using var lease = _handles.Acquire(i, create: true);
                }
                catch (Exception ex) when (StorageErrors.IsIOFault(ex))
                {
                    throw StorageErrors.Classify(ex, PathOf(i), writing: true);
                }
            }
        }
    }

    /// <summary>
    /// Changes the files kept to <paramref name="selection"/>. Every piece with a slot in the part file is read from it
    /// and checked with <paramref name="isGood"/>; for a good one, the bytes it holds of files the selection keeps are
    /// copied into those files (where they differ), and its slot is freed when it holds no byte of a skipped file any
    /// more. The part file is deleted when no slot is left. Writes wait meanwhile; reads go on. Returns the pieces whose
    /// slot held good data (all their bytes are now where the new selection reads them). A read-only store only
    /// changes where it reads.
    /// </summary>
    /// <exception cref="StorageException">A file cannot be read or written.</exception>
    public Bitfield ApplySelection(FileSelection? selection, PieceCheck isGood)
    {
        ArgumentNullException.ThrowIfNull(isGood);
        var next = new Routing(Layout, CheckSelection(Layout, selection));
        var good = new Bitfield(Layout.PieceCount);
        _routingLock.EnterWriteLock();
        try
        {
            if (!IsReadOnly)
            {
                MoveFromPartFile(next, isGood, good);
            }

            _routing = next;
        }
        finally
        {
            _routingLock.ExitWriteLock();
        }

        return good;
    }

    /// <summary>
    /// Starts noticing changes by others from what is on disk now (call before the check), with writes following
    /// checkpoint <paramref name="generation"/>.
    /// </summary>
    internal void BeginTracking(long generation) => _tracker.Baseline(generation);

    /// <summary>Journals this store's writes from now on.</summary>
    internal void UseJournal(WriteJournal? journal) => _tracker.UseJournal(journal);

    /// <summary>
    /// Each file's stamp by its path now, and the part file's, checking each against what our own writes left (see
    /// <see cref="FileChangeTracker.Sweep"/>); with <paramref name="generation"/>, later writes follow that checkpoint.
    /// </summary>
    internal FileStamp[] SweepStamps(long? generation) => _tracker.Sweep(generation);

    /// <summary>The record of checkpoint <paramref name="generation"/> was saved.</summary>
    internal void Committed(long generation) => _tracker.Committed(generation);

    /// <summary>Pieces held by a file (or the part file) that changed on disk by something other than this store, and not written again since.</summary>
    public Bitfield UntrustedPieces() => _tracker.UntrustedPieces();

    /// <summary>The files found changed on disk by something other than this store (full paths).</summary>
    public IReadOnlyList<string> ChangedFiles => _tracker.ChangedPaths;

    /// <summary>Closes every file (handles still in use by another thread close when it is done with them).</summary>
    public void Dispose()
    {
        _handles.Dispose();
        _part.Dispose();
    }

    private string PathOf(int fileIndex) => Location.GetFilePath(fileIndex)!;

    /// <summary>The path of a tracked source: a file (null for padding), or the part file.</summary>
    private string? SourcePath(int source) => source == Layout.FileCount ? _part.Path : Location.GetFilePath(source);

    /// <summary>Writes bytes of one file, tracked. Returns true when the write found the file changed by someone else.</summary>
    private bool WriteFile(int fileIndex, long fileOffset, ReadOnlySpan<byte> data)
    {
        try
        {
            var changed = WriteTracked(fileIndex, fileOffset, data);
            if (Volatile.Read(ref _written[fileIndex]) == 0)
            {
                Volatile.Write(ref _written[fileIndex], 1);
            }

            return changed;
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, PathOf(fileIndex), writing: true);
        }
    }

    private bool WriteTracked(int fileIndex, long fileOffset, ReadOnlySpan<byte> data)
    {
        lock (_tracker.Gate(fileIndex))
        {
            using var lease = _handles.Acquire(fileIndex, create: true);
            var handle = lease.Handle!;
            var changed = _tracker.BeforeWrite(fileIndex, handle, out var length);
            RandomAccess.Write(handle, data, fileOffset);
            _tracker.AfterWrite(fileIndex, handle, length < 0 ? -1 : Math.Max(length, fileOffset + data.Length));
            return changed;
        }
    }

    /// <summary>Writes bytes of piece <paramref name="piece"/> to its slot in the part file, tracked. Returns true when the write found the part file changed by someone else.</summary>
    private bool WritePart(int piece, int begin, ReadOnlySpan<byte> data)
    {
        try
        {
            var changed = WritePartTracked(piece, begin, data);
            Volatile.Write(ref _partWritten, 1);
            return changed;
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, _part.Path, writing: true);
        }
    }

    private bool WritePartTracked(int piece, int begin, ReadOnlySpan<byte> data)
    {
        var source = _tracker.PartSource;
        lock (_tracker.Gate(source))
        {
            var handle = _part.OpenForWriting(out var created);
            if (created)
            {
                _tracker.AfterWrite(source, handle);
            }

            var changed = _tracker.BeforeWrite(source, handle, out _);
            var offset = _part.SlotFor(piece);
            RandomAccess.Write(handle, data, offset + begin);
            _tracker.AfterWrite(source, handle);
            return changed;
        }
    }

    private void MoveFromPartFile(Routing next, PieceCheck isGood, Bitfield good)
    {
        var pieces = ReadPartPieces();
        if (pieces.Length == 0 && !File.Exists(_part.Path))
        {
            return;
        }

        var image = ArrayPool<byte>.Shared.Rent(Layout.PieceLength);
        var onDisk = ArrayPool<byte>.Shared.Rent(Layout.PieceLength);
        try
        {
            foreach (var piece in pieces)
            {
                var size = Layout.GetPieceSize(piece);
                var data = image.AsSpan(0, size);
                if (ReadPart(piece, data) == size && isGood(piece, data))
                {
                    good[piece] = true;
                    foreach (var span in Layout.GetSpans(piece, 0, size))
                    {
                        if (Layout.IsPadding(span.FileIndex) || next.IsSkipped(span.FileIndex))
                        {
                            continue;
                        }

                        var bytes = data.Slice(span.BufferOffset, span.Length);
                        var present = onDisk.AsSpan(0, span.Length);
                        if (ReadFile(span.FileIndex, span.FileOffset, present) != span.Length || !present.SequenceEqual(bytes))
                        {
                            WriteFile(span.FileIndex, span.FileOffset, bytes);
                        }
                    }

                    if (!next.TouchesSkippedFile(Layout, piece))
                    {
                        UpdatePart(piece);
                    }
                }
                else if (!next.TouchesSkippedFile(Layout, piece))
                {
                    UpdatePart(piece); // bad or cut short, and no skipped file needs it: the piece is fetched again into the files
                }
            }

            UpdatePart(piece: null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(image);
            ArrayPool<byte>.Shared.Return(onDisk);
        }
    }

    private int[] ReadPartPieces()
    {
        try
        {
            return _part.Pieces;
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, _part.Path, writing: false);
        }
    }

    private int ReadPart(int piece, Span<byte> destination)
    {
        try
        {
            return _part.Read(piece, 0, destination);
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, _part.Path, writing: false);
        }
    }

    /// <summary>Frees <paramref name="piece"/>'s slot; with null, deletes the part file when no slot is left. Tracked as our own writes.</summary>
    private void UpdatePart(int? piece)
    {
        try
        {
            UpdatePartTracked(piece);
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, _part.Path, writing: true);
        }
    }

    private void UpdatePartTracked(int? piece)
    {
        var source = _tracker.PartSource;
        lock (_tracker.Gate(source))
        {
            if (piece is null)
            {
                if (_part.DeleteIfEmpty())
                {
                    _tracker.Deleted(source);
                }

                return;
            }

            var handle = _part.OpenForWriting(out _);
            _tracker.BeforeWrite(source, handle, out _);
            _part.Free(piece.Value);
            _tracker.AfterWrite(source, handle);
            Volatile.Write(ref _partWritten, 1);
        }
    }

    private static FileSelection? CheckSelection(FileLayout layout, FileSelection? selection)
    {
        if (selection is not null && selection.FileCount != layout.FileCount)
        {
            throw new ArgumentException($"The selection is for {selection.FileCount} files, the torrent has {layout.FileCount}.", nameof(selection));
        }

        return selection;
    }

    /// <param name="start">Where the range starts in the content.</param>
    private int ReadSpans(FileSpanEnumerator spans, long start, Span<byte> destination)
    {
        var routing = _routing;
        var present = 0;
        foreach (var span in spans)
        {
            var target = destination.Slice(span.BufferOffset, span.Length);
            int read;
            if (Layout.IsPadding(span.FileIndex))
            {
                read = Zeros(target);
            }
            else if (routing.IsSkipped(span.FileIndex))
            {
                read = ReadSkipped(span, start + span.BufferOffset, target);
            }
            else
            {
                read = ReadFile(span.FileIndex, span.FileOffset, target);
            }

            present += read;
            if (read < span.Length)
            {
                break;
            }
        }

        return present;
    }

    /// <summary>Bytes of a skipped file: piece by piece from the piece's slot, or from the file when the piece has none.</summary>
    private int ReadSkipped(FileSpan span, long contentOffset, Span<byte> target)
    {
        var total = 0;
        while (total < target.Length)
        {
            var at = contentOffset + total;
            var piece = (int)(at / Layout.PieceLength);
            var inPiece = (int)(at - ((long)piece * Layout.PieceLength));
            var chunk = target.Slice(total, Math.Min(target.Length - total, Layout.GetPieceSize(piece) - inPiece));
            int read;
            try
            {
                read = _part.Read(piece, inPiece, chunk);
            }
            catch (Exception ex) when (StorageErrors.IsIOFault(ex))
            {
                throw StorageErrors.Classify(ex, _part.Path, writing: false);
            }

            if (read < 0)
            {
                read = ReadFile(span.FileIndex, span.FileOffset + total, chunk);
            }

            total += read;
            if (read < chunk.Length)
            {
                break;
            }
        }

        return total;
    }

    private static int Zeros(Span<byte> target)
    {
        target.Clear();
        return target.Length;
    }

    private int ReadFile(int fileIndex, long offset, Span<byte> target)
    {
        try
        {
            using var lease = _handles.Acquire(fileIndex, create: false);
            if (lease.Handle is not { } handle)
            {
                return 0;
            }

            var total = 0;
            while (total < target.Length)
            {
                var read = RandomAccess.Read(handle, target[total..], offset + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, PathOf(fileIndex), writing: false);
        }
    }

    /// <summary>The handle cache's opener: read-write (creating file and folders) or read-only (null when missing).</summary>
    private SafeFileHandle? Open(int fileIndex, bool create)
    {
        var path = PathOf(fileIndex);
        var access = IsReadOnly ? FileAccess.Read : FileAccess.ReadWrite;
        const FileShare share = FileShare.ReadWrite | FileShare.Delete;
        if (!create || IsReadOnly)
        {
            try
            {
                return File.OpenHandle(path, FileMode.Open, access, share);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, access, share);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
        {
            // A folder is missing. (.NET names the error by whether the folder exists when it looks, after the open:
            // another thread making it meanwhile turns DirectoryNotFound into FileNotFound.)
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _logger.LogDebug("Created the folder of {Path}", path);
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, access, share);
        }

        if (RandomAccess.GetLength(handle) == 0)
        {
            SparseFile.TryMark(handle);
        }

        return handle;
    }

    /// <summary>Where bytes go and come from under one selection: which files are skipped. Immutable.</summary>
    private sealed class Routing
    {
        private readonly bool[]? _skipped;

        public Routing(FileLayout layout, FileSelection? selection)
        {
            Selection = selection;
            for (var file = 0; selection is not null && file < layout.FileCount; file++)
            {
                if (!selection.IsSelected(file) && !layout.IsPadding(file) && layout.GetFileLength(file) > 0)
                {
                    _skipped ??= new bool[layout.FileCount];
                    _skipped[file] = true;
                }
            }
        }

        public FileSelection? Selection { get; }

        /// <summary>A non-padding file with bytes that the selection skips.</summary>
        public bool IsSkipped(int file) => _skipped is not null && _skipped[file];

        /// <summary>Whether piece <paramref name="piece"/> holds bytes of a skipped file (it is then kept whole in the part file).</summary>
        public bool TouchesSkippedFile(FileLayout layout, int piece)
        {
            if (_skipped is null)
            {
                return false;
            }

            var (first, last) = layout.GetFileRange(piece);
            for (var file = first; file <= last; file++)
            {
                if (_skipped[file])
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>Whether <paramref name="data"/> is piece <paramref name="piece"/>'s right content (its hash matches).</summary>
internal delegate bool PieceCheck(int piece, ReadOnlySpan<byte> data);
