namespace TorrentPS.Engine.Bencode;

/// <summary>Bounds that keep hostile input from exhausting the stack or memory.</summary>
public sealed record BencodeReaderOptions
{
    public static BencodeReaderOptions Default { get; } = new();

    /// <summary>Deepest nesting of lists and dictionaries accepted.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Largest input accepted, in bytes.</summary>
    public long MaxInputLength { get; init; } = 128L * 1024 * 1024;

    /// <summary>Most values (of any kind) one input may hold.</summary>
    public int MaxValueCount { get; init; } = 8_000_000;
}
