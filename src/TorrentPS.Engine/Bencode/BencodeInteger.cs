namespace TorrentPS.Engine.Bencode;

/// <summary>A bencode integer: always a signed 64-bit value.</summary>
public sealed class BencodeInteger : BencodeValue
{
    public BencodeInteger(long value) => Value = value;

    public long Value { get; }

    public override bool Equals(BencodeValue? other) => other is BencodeInteger i && i.Value == Value;

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
