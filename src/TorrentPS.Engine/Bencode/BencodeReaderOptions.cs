namespace TorrentPS.Engine.Bencode;

/// <summary>Bounds that keep hostile input from exhausting the stack or memory.</summary>
public sealed record BencodeReaderOptions
{
    public static BencodeReaderOptions Default { get; } = new();

    /// <summary>Deepest nesting of lists and dictionaries accepted.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Largest input accepted, in bytes.</summary>
    public long MaxInputLength { get; init; } = 128L * 1024 * 1024;

    /// <summary>
    /// Most values (of any kind, keys included) one input may hold; the bound on memory for hostile input
    /// (each value is an object of about 50 bytes). Three million, like libtorrent's token limit: a torrent
    /// of 100 000 files holds about 600 000.
    /// </summary>
    internal int MaxValueCount { get; init; } = 3_000_000;
}
