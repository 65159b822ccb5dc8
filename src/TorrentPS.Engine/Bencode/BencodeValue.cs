namespace TorrentPS.Engine.Bencode;

/// <summary>
/// A decoded bencode value. Values read from bytes remember the exact bytes they came from
/// (<see cref="Raw"/>), so a hash over a value (the info hash) never depends on a re-encoding.
/// Equality is structural: two values are equal when they hold the same data.
/// </summary>
public abstract class BencodeValue : IEquatable<BencodeValue>
{
    private protected BencodeValue()
    {
    }

    /// <summary>The bytes this value was read from; empty for values built in code.</summary>
    internal ReadOnlyMemory<byte> Raw { get; set; }

    /// <summary>Byte offset of this value in the input it was read from, or -1 for values built in code.</summary>
    internal long SourceOffset { get; set; } = -1;

    public abstract bool Equals(BencodeValue? other);

    public override bool Equals(object? obj) => obj is BencodeValue other && Equals(other);

    public abstract override int GetHashCode();
}
