using Microsoft.Win32.SafeHandles;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// Reads new content by its offset in the v1 view (<see cref="CreationLayout"/>), with positional reads on a small cache of
/// read-only handles shared by the hashing threads (the storage layer's <see cref="FileHandleCache"/>); padding reads as
/// zeros. A file that turns out shorter than when it was listed, or gone, is a <c>ContentChanged</c> error: its hashes
/// would describe data nobody has.
/// </summary>
internal sealed class SourceReader : IDisposable
{
    private readonly CreationLayout _layout;
    private readonly FileHandleCache _handles;

    public SourceReader(CreationLayout layout, int maxOpenFiles = 8)
    {
        _layout = layout;
        _handles = new FileHandleCache(maxOpenFiles, Open);
    }

    /// <summary>Fills <paramref name="destination"/> with the content at <paramref name="offset"/>; returns how many of its bytes are file bytes (not padding).</summary>
    /// <exception cref="TorrentPSException">ContentChanged, or a <see cref="StorageException"/> when a file cannot be read.</exception>
    public int ReadAt(long offset, Span<byte> destination)
    {
        var fileBytes = 0;
        foreach (var span in _layout.Files.GetSpans(offset, destination.Length))
        {
            var target = destination.Slice(span.BufferOffset, span.Length);
            if (_layout.Files.IsPadding(span.FileIndex))
            {
                target.Clear();
                continue;
            }

            ReadFile(span.FileIndex, span.FileOffset, target);
            fileBytes += span.Length;
        }

        return fileBytes;
    }

    public void Dispose() => _handles.Dispose();

    /// <summary>The error for a file that no longer is what it was when it was listed.</summary>
    public static TorrentPSException Changed(SourceFile file, string what)
        => new("ContentChanged", TorrentErrorKind.ReadError, $"'{file.ReadPath}' {what} while the torrent was made: make it again once the file is settled.");

    private SourceFile SourceOf(int fileIndex) => _layout.Scan.Files[_layout.Entries[fileIndex].SourceIndex];

    private void ReadFile(int fileIndex, long offset, Span<byte> target)
    {
        var file = SourceOf(fileIndex);
        try
        {
            using var lease = _handles.Acquire(fileIndex, create: false);
            var handle = lease.Handle ?? throw Changed(file, "was deleted");
            var total = 0;
            while (total < target.Length)
            {
                var read = RandomAccess.Read(handle, target[total..], offset + total);
                if (read == 0)
                {
                    throw Changed(file, "became shorter");
                }

                total += read;
            }
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            throw StorageErrors.Classify(ex, file.ReadPath, writing: false);
        }
    }

    private SafeFileHandle? Open(int fileIndex, bool create)
    {
        try
        {
            return File.OpenHandle(SourceOf(fileIndex).ReadPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
