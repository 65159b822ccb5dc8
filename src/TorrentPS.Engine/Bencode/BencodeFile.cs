namespace TorrentPS.Engine.Bencode;

/// <summary>
/// Reads a file that should hold bencode (a .torrent, resume data, any file given to ConvertFrom-Bencode) with a bound
/// and a way out: never more than the limit is read, whatever the file is (a regular file, a FIFO, a pipe such as
/// <c>/dev/stdin</c>, an endless device such as <c>/dev/zero</c>), and cancelling returns at once.
/// </summary>
/// <remarks>
/// Opening a FIFO and reading a pipe block in the operating system, where no token reaches. So the file is opened
/// and read on a thread of its own that checks the token between reads, and the caller awaits it with the token: a
/// cancelled caller returns at once, and a thread stuck in a pipe that never writes ends when its writer closes.
/// </remarks>
public static class BencodeFile
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Reads the whole of <paramref name="path"/>.</summary>
    /// <exception cref="BencodeException">The file holds more than <paramref name="limit"/> bytes (InvalidBencode, "larger than the limit").</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(string path, long limit, CancellationToken cancellationToken = default)
        => await TryReadAsync(path, limit, cancellationToken).ConfigureAwait(false)
           ?? throw TooLarge(path, limit);

    /// <summary>The error for a file over the limit, naming it.</summary>
    internal static BencodeException TooLarge(string path, long limit)
        => new(limit, $"the input is larger than the limit of {limit} bytes", path);

    /// <summary>Reads the whole of <paramref name="path"/>, or returns null when it holds more than <paramref name="limit"/> bytes.</summary>
    internal static Task<ReadOnlyMemory<byte>?> TryReadAsync(string path, long limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        cancellationToken.ThrowIfCancellationRequested();
        var file = new FileInfo(path);
        if (file.Exists && (file.Attributes & FileAttributes.Device) == 0 && file.Length > limit && file.Length > 0)
        {
            // A regular file over the limit is refused before a byte is read.
            return Task.FromResult<ReadOnlyMemory<byte>?>(null);
        }

        var read = Task.Factory.StartNew(
            () => Read(path, limit, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
        return read.WaitAsync(cancellationToken);
    }

    private static ReadOnlyMemory<byte>? Read(string path, long limit, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        cancellationToken.ThrowIfCancellationRequested();
        var expected = stream.CanSeek ? stream.Length : 0;
        var cap = (int)Math.Min(limit + 1, Array.MaxLength);
        var buffer = new byte[(int)Math.Clamp(expected + 1, Math.Min(4096, cap), cap)];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, cap));
            }

            var read = stream.Read(buffer, filled, Math.Min(ChunkSize, buffer.Length - filled));
            if (read == 0)
            {
                return filled > limit ? null : buffer.AsMemory(0, filled);
            }

            filled += read;
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
