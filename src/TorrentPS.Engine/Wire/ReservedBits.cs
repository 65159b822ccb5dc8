using System.Buffers.Binary;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The 8 reserved bytes of the BEP 3 handshake, read as one big-endian 64-bit value. Bits we know:
/// BEP 10 extension protocol (byte 5, 0x10), BEP 6 fast extension (byte 7, 0x04), BEP 5 DHT (byte 7, 0x01).
/// </summary>
public readonly record struct ReservedBits(ulong Value)
{
    public const int Length = 8;

    private const ulong ExtensionProtocolBit = 0x0000_0000_0010_0000UL;
    private const ulong FastExtensionBit = 0x0000_0000_0000_0004UL;
    private const ulong DhtBit = 0x0000_0000_0000_0001UL;

    public static ReservedBits None => default;

    /// <summary><c>00 00 00 00 00 10 00 00</c>: only the extension protocol, as the challenge's clients send.</summary>
    public static ReservedBits ExtensionProtocolOnly => new(ExtensionProtocolBit);

    public bool SupportsExtensionProtocol => (Value & ExtensionProtocolBit) != 0;

    public bool SupportsFastExtension => (Value & FastExtensionBit) != 0;

    public bool SupportsDht => (Value & DhtBit) != 0;

    public static ReservedBits Create(bool extensionProtocol, bool fastExtension, bool dht)
        => new((extensionProtocol ? ExtensionProtocolBit : 0) | (fastExtension ? FastExtensionBit : 0) | (dht ? DhtBit : 0));

    public static ReservedBits Read(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt64BigEndian(bytes));

    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    /// <summary>The bytes as 16 hex digits, e.g. <c>0000000000100005</c>.</summary>
    public override string ToString() => Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
