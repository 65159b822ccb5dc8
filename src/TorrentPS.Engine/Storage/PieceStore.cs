using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Reads and writes a torrent's blocks in its files with positional I/O (<see cref="RandomAccess"/>) on a bounded
/// cache of open handles. Thread-safe: any thread may read or write any block; blocks of different pieces may be
/// written concurrently (the blocks of one piece by one thread at a time). Files are created only when a block lands in
/// them, sparse (nothing is preallocated), with their folders made on demand. Every fault is a
/// <see cref="StorageException"/> naming the file.
/// </summary>
/// <remarks>
/// The I/O is synchronous on purpose. The download engine completes, hashes and writes a piece on the thread that
/// received its last block (a peer's receiving thread). When the disk is slow, that thread blocks in
/// <see cref="Write"/>, stops reading its socket, the socket's receive window fills and TCP slows the peer down: that is
/// the back-pressure the design asks for, with no queue of pending writes in between (a queue would only add a thread
/// hop per piece and memory to bound). Nothing here buffers data: when <see cref="Write"/> returns, the bytes are in
/// the operating system's cache (<see cref="Flush"/> takes them to the disk at checkpoints).
/// </remarks>
public sealed class PieceStore : IPieceStorage, IDisposable
{
    private readonly FileHandleCache _handles;
    private readonly ILogger _logger;

    /// <summary>Per file, 1 when written since the last <see cref="Flush"/>.</summary>
    private readonly int[] _written;

    public PieceStore(FileLayout layout, ContentLocation location, PieceStoreOptions? options = null, ILogger<PieceStore>? logger = null)
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
    }

    public FileLayout Layout { get; }

    public ContentLocation Location { get; }

    public bool IsReadOnly { get; }

    /// <summary>How many file handles are open now.</summary>
    public int OpenFileCount => _handles.OpenCount;

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

        foreach (var span in Layout.GetSpans(piece, begin, data.Length))
        {
            if (Layout.IsPadding(span.FileIndex))
            {
                continue;
            }

            try
            {
                using var lease = _handles.Acquire(span.FileIndex, create: true);
                RandomAccess.Write(lease.Handle!, data.Slice(span.BufferOffset, span.Length), span.FileOffset);
                if (Volatile.Read(ref _written[span.FileIndex]) == 0)
                {
                    Volatile.Write(ref _written[span.FileIndex], 1);
                }
            }
            catch (Exception ex) when (StorageErrors.IsIOFault(ex))
            {
                throw StorageErrors.Classify(ex, PathOf(span.FileIndex), writing: true);
            }
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
        => ReadSpans(Layout.GetSpans(piece, begin, destination.Length), destination);

    /// <summary>As <see cref="Read"/>, for bytes at <paramref name="offset"/> in the whole content (may span pieces).</summary>
    internal int ReadAt(long offset, Span<byte> destination)
        => ReadSpans(Layout.GetSpans(offset, destination.Length), destination);

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
    /// them): call when the download completes.
    /// </summary>
    public void CreateEmptyFiles()
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException("The piece store is read-only.");
        }

        for (var i = 0; i < Layout.FileCount; i++)
        {
            if (Layout.GetFileLength(i) == 0 && !Layout.IsPadding(i) && !File.Exists(PathOf(i)))
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

    /// <summary>Closes every file (handles still in use by another thread close when it is done with them).</summary>
    public void Dispose() => _handles.Dispose();

    private string PathOf(int fileIndex) => Location.GetFilePath(fileIndex)!;

    private int ReadSpans(FileSpanEnumerator spans, Span<byte> destination)
    {
        var present = 0;
        foreach (var span in spans)
        {
            var target = destination.Slice(span.BufferOffset, span.Length);
            var read = Layout.IsPadding(span.FileIndex) ? Zeros(target) : ReadFile(span.FileIndex, span.FileOffset, target);
            present += read;
            if (read < span.Length)
            {
                break;
            }
        }

        return present;
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
}
