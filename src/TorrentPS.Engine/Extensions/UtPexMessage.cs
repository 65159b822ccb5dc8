using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Extensions;

/// <summary>
/// One ut_pex message (BEP 11; the body of an extended message): the peers the sender connected to
/// (<c>added</c>, <c>added6</c>, with a flags byte each in <c>added.f</c>, <c>added6.f</c>) and those it lost
/// (<c>dropped</c>, <c>dropped6</c>) since its last message, as compact addresses (6 bytes for IPv4, 18 for IPv6).
/// Reading is strict, as the body comes from any peer: a list whose length is not a whole number of entries, a flags
/// string that does not match its list, a value of the wrong type, a repeated key, bytes after the dictionary, or more
/// entries than <see cref="MaxAdded"/> and <see cref="MaxDropped"/> are the peer's protocol error. Unknown keys are
/// ignored (BEP 11 leaves room for more).
/// </summary>
internal sealed class UtPexMessage
{
    /// <summary>The longest body read (a full message of the largest lists is about 24 KiB).</summary>
    public const int MaxBodyLength = 64 * 1024;

    /// <summary>
    /// The most <c>added</c> entries (IPv4 and IPv6 together) one message may carry. BEP 11 asks for at most 50;
    /// libtorrent sends up to 100; anything beyond twice that is abuse.
    /// </summary>
    public const int MaxAdded = 200;

    /// <summary>
    /// The most <c>dropped</c> entries (IPv4 and IPv6 together) one message may carry. libtorrent does not cap its
    /// dropped list (it lists every peer that left in the last minute), so this bound is loose.
    /// </summary>
    public const int MaxDropped = 1000;

    private const int IPv4EntryLength = 6;
    private const int IPv6EntryLength = 18;

    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 4, MaxValueCount = 64, MaxInputLength = MaxBodyLength };

    /// <summary>A message to send or one that was read.</summary>
    /// <exception cref="ArgumentException">More entries than the limits, an address with port 0, or an address that is neither IPv4 nor IPv6.</exception>
    public UtPexMessage(IReadOnlyList<PexPeer> added, IReadOnlyList<IPEndPoint> dropped)
        : this(added, dropped, validate: true)
    {
    }

    /// <summary>A message as read: what a peer sent is kept as it is (port 0 included) for the reader to judge.</summary>
    private UtPexMessage(IReadOnlyList<PexPeer> added, IReadOnlyList<IPEndPoint> dropped, bool validate)
    {
        Added = added;
        Dropped = dropped;
        if (!validate)
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(dropped);
        if (added.Count > MaxAdded || dropped.Count > MaxDropped)
        {
            throw new ArgumentException($"A ut_pex message holds at most {MaxAdded} added and {MaxDropped} dropped peers; this one has {added.Count} and {dropped.Count}.");
        }

        foreach (var peer in added)
        {
            Check(peer.EndPoint);
        }

        foreach (var endPoint in dropped)
        {
            Check(endPoint);
        }
    }

    /// <summary>
    /// Peers the sender connected to since its last message (IPv4 first, then IPv6, each in the order sent). A message
    /// that was read keeps what the peer sent, entries with port 0 included: the reader skips what it cannot dial.
    /// </summary>
    public IReadOnlyList<PexPeer> Added { get; }

    /// <summary>Peers the sender lost since its last message.</summary>
    public IReadOnlyList<IPEndPoint> Dropped { get; }

    /// <summary>Nothing added and nothing dropped (never worth sending: some clients take an empty message for an error).</summary>
    public bool IsEmpty => Added.Count == 0 && Dropped.Count == 0;

    /// <summary>Reads a ut_pex body.</summary>
    /// <exception cref="PeerProtocolException">Not a bencoded dictionary, or any of the faults the class summary lists.</exception>
    public static UtPexMessage Decode(ReadOnlyMemory<byte> body)
    {
        if (body.Length > MaxBodyLength)
        {
            throw new PeerProtocolException(null, $"a ut_pex message of {body.Length} bytes (at most {MaxBodyLength} are accepted)");
        }

        var root = BencodedPayload.ReadDictionary(body, ReaderOptions, "a ut_pex message", out var consumed);
        if (consumed != body.Length)
        {
            throw new PeerProtocolException(null, $"a ut_pex message has {body.Length - consumed} bytes after its dictionary");
        }

        if (root.HasDuplicateKeys)
        {
            throw new PeerProtocolException(null, "a ut_pex message repeats a key");
        }

        var added4 = ReadEntries(root, "added", IPv4EntryLength);
        var flags4 = ReadFlags(root, "added.f", added4.Length / IPv4EntryLength);
        var added6 = ReadEntries(root, "added6", IPv6EntryLength);
        var flags6 = ReadFlags(root, "added6.f", added6.Length / IPv6EntryLength);
        var dropped4 = ReadEntries(root, "dropped", IPv4EntryLength);
        var dropped6 = ReadEntries(root, "dropped6", IPv6EntryLength);

        var addedCount = (added4.Length / IPv4EntryLength) + (added6.Length / IPv6EntryLength);
        if (addedCount > MaxAdded)
        {
            throw new PeerProtocolException(null, $"a ut_pex message adds {addedCount} peers (at most {MaxAdded} are accepted)");
        }

        var droppedCount = (dropped4.Length / IPv4EntryLength) + (dropped6.Length / IPv6EntryLength);
        if (droppedCount > MaxDropped)
        {
            throw new PeerProtocolException(null, $"a ut_pex message drops {droppedCount} peers (at most {MaxDropped} are accepted)");
        }

        var added = new List<PexPeer>(addedCount);
        AddPeers(added, added4.Span, flags4.Span, IPv4EntryLength);
        AddPeers(added, added6.Span, flags6.Span, IPv6EntryLength);
        var dropped = new List<IPEndPoint>(droppedCount);
        AddEndPoints(dropped, dropped4.Span, IPv4EntryLength);
        AddEndPoints(dropped, dropped6.Span, IPv6EntryLength);
        return new UtPexMessage(added, dropped, validate: false);
    }

    /// <summary>
    /// Writes the body (keys in canonical order). <c>added</c>, <c>added.f</c> and <c>dropped</c> are always written,
    /// empty when there is nothing for them, as libtorrent does; the IPv6 keys only when they hold something.
    /// </summary>
    public void Encode(IBufferWriter<byte> output)
    {
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        WriteAdded(writer, "added"u8, "added.f"u8, AddressFamily.InterNetwork, IPv4EntryLength, always: true);
        WriteAdded(writer, "added6"u8, "added6.f"u8, AddressFamily.InterNetworkV6, IPv6EntryLength, always: false);
        WriteDropped(writer, "dropped"u8, AddressFamily.InterNetwork, IPv4EntryLength, always: true);
        WriteDropped(writer, "dropped6"u8, AddressFamily.InterNetworkV6, IPv6EntryLength, always: false);
        writer.WriteEnd();
    }

    public byte[] ToArray()
    {
        using var buffer = new PooledBufferWriter();
        Encode(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public override string ToString() => $"ut_pex: {Added.Count} added, {Dropped.Count} dropped";

    private static ReadOnlyMemory<byte> ReadEntries(BencodeDictionary root, string key, int entryLength)
    {
        if (!root.TryGetValue(key, out var value))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (value is not BencodeString text)
        {
            throw new PeerProtocolException(null, $"a ut_pex message's '{key}' is not a string");
        }

        if (text.Length % entryLength != 0)
        {
            throw new PeerProtocolException(null, $"a ut_pex message's '{key}' is {text.Length.ToString(CultureInfo.InvariantCulture)} bytes, not a multiple of {entryLength}");
        }

        return text.Bytes;
    }

    private static ReadOnlyMemory<byte> ReadFlags(BencodeDictionary root, string key, int count)
    {
        if (!root.TryGetValue(key, out var value))
        {
            return ReadOnlyMemory<byte>.Empty; // optional: no flags known
        }

        if (value is not BencodeString text)
        {
            throw new PeerProtocolException(null, $"a ut_pex message's '{key}' is not a string");
        }

        if (text.Length != count)
        {
            throw new PeerProtocolException(null, $"a ut_pex message's '{key}' has {text.Length.ToString(CultureInfo.InvariantCulture)} flags for {count.ToString(CultureInfo.InvariantCulture)} peers");
        }

        return text.Bytes;
    }

    private static void AddPeers(List<PexPeer> peers, ReadOnlySpan<byte> entries, ReadOnlySpan<byte> flags, int entryLength)
    {
        for (int offset = 0, i = 0; offset < entries.Length; offset += entryLength, i++)
        {
            var flag = flags.IsEmpty ? PexPeerFlags.None : (PexPeerFlags)flags[i];
            peers.Add(new PexPeer(ReadEndPoint(entries.Slice(offset, entryLength)), flag));
        }
    }

    private static void AddEndPoints(List<IPEndPoint> endPoints, ReadOnlySpan<byte> entries, int entryLength)
    {
        for (var offset = 0; offset < entries.Length; offset += entryLength)
        {
            endPoints.Add(ReadEndPoint(entries.Slice(offset, entryLength)));
        }
    }

    /// <summary>One compact entry; an IPv4-mapped IPv6 address reads as the IPv4 address it maps.</summary>
    private static IPEndPoint ReadEndPoint(ReadOnlySpan<byte> entry)
    {
        var address = new IPAddress(entry[..^2]);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(entry[^2..]));
    }

    private void WriteAdded(BencodeWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> flagsKey, AddressFamily family, int entryLength, bool always)
    {
        var count = 0;
        foreach (var peer in Added)
        {
            count += Family(peer.EndPoint) == family ? 1 : 0;
        }

        if (count == 0 && !always)
        {
            return;
        }

        Span<byte> entries = stackalloc byte[MaxAdded * IPv6EntryLength];
        Span<byte> flags = stackalloc byte[MaxAdded];
        var n = 0;
        foreach (var peer in Added)
        {
            if (Family(peer.EndPoint) == family)
            {
                WriteEndPoint(peer.EndPoint, entries.Slice(n * entryLength, entryLength));
                flags[n++] = (byte)peer.Flags;
            }
        }

        writer.WriteString(key);
        writer.WriteString(entries[..(n * entryLength)]);
        writer.WriteString(flagsKey);
        writer.WriteString(flags[..n]);
    }

    private void WriteDropped(BencodeWriter writer, ReadOnlySpan<byte> key, AddressFamily family, int entryLength, bool always)
    {
        var count = 0;
        foreach (var endPoint in Dropped)
        {
            count += Family(endPoint) == family ? 1 : 0;
        }

        if (count == 0 && !always)
        {
            return;
        }

        var entries = ArrayPool<byte>.Shared.Rent(Math.Max(1, count * entryLength));
        try
        {
            var n = 0;
            foreach (var endPoint in Dropped)
            {
                if (Family(endPoint) == family)
                {
                    WriteEndPoint(endPoint, entries.AsSpan(n++ * entryLength, entryLength));
                }
            }

            writer.WriteString(key);
            writer.WriteString(entries.AsSpan(0, n * entryLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(entries);
        }
    }

    /// <summary>IPv4-mapped IPv6 addresses are IPv4 on the wire.</summary>
    private static AddressFamily Family(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : endPoint.AddressFamily;

    private static void WriteEndPoint(IPEndPoint endPoint, Span<byte> entry)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        address.TryWriteBytes(entry, out _);
        BinaryPrimitives.WriteUInt16BigEndian(entry[^2..], (ushort)endPoint.Port);
    }

    private static void Check(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.Port == 0 || endPoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"{endPoint} cannot be listed in a ut_pex message (port 0, or neither IPv4 nor IPv6).");
        }
    }
}
