namespace TorrentPS.Engine.Storage;

/// <summary>How <see cref="TorrentVerifier"/> reads and hashes.</summary>
public sealed record TorrentVerifierOptions
{
    internal static TorrentVerifierOptions Default { get; } = new();

    /// <summary>The size of one sequential read (and of each worker's buffer): 8 MiB.</summary>
    internal int ReadSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>The most pieces hashed at once; by default one per processor.</summary>
    internal int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Less data than this to hash is hashed on one thread (starting more would cost more than it saves): 32 MiB.</summary>
    internal long ParallelThreshold { get; init; } = 32L * 1024 * 1024;
}
