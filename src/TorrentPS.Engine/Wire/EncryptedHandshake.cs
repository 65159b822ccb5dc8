using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The receiving side of Message Stream Encryption (the "obfuscated" handshake that libtorrent, Transmission and most
/// clients try first on an outgoing connection). A Diffie-Hellman exchange over the 768-bit prime gives both sides a
/// secret S; the peer proves which torrent it wants by <c>SHA1("req2", info hash)</c> (masked with <c>SHA1("req3",
/// S)</c>) and offers the stream's crypto; the rest of the handshake is RC4 with keys from S and the info hash. We take
/// the handshake and choose a plaintext stream, so the download's hot path never runs a cipher; a peer that offers only
/// an RC4 stream is refused with that reason. Without this, libtorrent's first connection to a `tps seed` was dropped
/// and it came back in plaintext a second later (issue 20's seeding figures).
/// </summary>
internal static class EncryptedHandshake
{
    /// <summary>Bytes of a public key (the prime's size).</summary>
    public const int KeyLength = 96;

    /// <summary>The most padding either side may send at each step.</summary>
    public const int MaxPadding = 512;

    /// <summary><c>crypto_provide</c>/<c>crypto_select</c>: a plaintext stream after the handshake.</summary>
    public const uint PlaintextStream = 0x01;

    /// <summary><c>crypto_provide</c>/<c>crypto_select</c>: an RC4 stream after the handshake.</summary>
    public const uint Rc4Stream = 0x02;

    /// <summary>The prime the specification fixes (Oakley group 1), and its generator 2.</summary>
    internal static readonly BigInteger Prime = new(Convert.FromHexString(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563"),
        isUnsigned: true, isBigEndian: true);

    private const int HashLength = 20;

    /// <summary>VC, crypto_provide and len(PadC): the first enciphered fields of the peer's third message.</summary>
    private const int CryptoFieldsLength = 8 + 4 + 2;

    /// <summary>Whether <paramref name="first"/> (at least 20 bytes) starts a plaintext BitTorrent handshake.</summary>
    public static bool IsPlaintext(ReadOnlySpan<byte> first) => first.StartsWith("\u0013BitTorrent protocol"u8);

    /// <summary>
    /// Answers an encrypted handshake whose first bytes are in <paramref name="buffer"/> (<paramref name="filled"/> of
    /// them). Returns the info hash the peer asked for, one of <paramref name="served"/>, and leaves in the buffer the
    /// plaintext stream from its start (the peer's BitTorrent handshake, sent inside the encrypted one or after it).
    /// </summary>
    /// <exception cref="PeerProtocolException">Neither kind of handshake, a torrent not served here, or an RC4-only peer.</exception>
    public static (InfoHash InfoHash, int Filled) Respond(
        Socket socket, bool systemBlocking, IPEndPoint remote, byte[] buffer, int filled, long deadline, TimeSpan limit,
        Func<IEnumerable<InfoHash>> served, CancellationToken cancellationToken)
    {
        int Need(int count, string what) => HandshakeExchange.ReceiveAtLeast(socket, systemBlocking, remote, buffer, filled, count, deadline, limit, what, cancellationToken);

        filled = Need(KeyLength, "the encrypted handshake's key");
        var theirs = new BigInteger(buffer.AsSpan(0, KeyLength), isUnsigned: true, isBigEndian: true);
        if (theirs <= BigInteger.One || theirs >= Prime - BigInteger.One)
        {
            throw new PeerProtocolException(remote, "neither a BitTorrent handshake nor an encrypted one (its key is out of range)");
        }

        Span<byte> privateBytes = stackalloc byte[HashLength];
        RandomNumberGenerator.Fill(privateBytes);
        var secretKey = new BigInteger(privateBytes, isUnsigned: true, isBigEndian: true);
        var reply = new byte[KeyLength + RandomNumberGenerator.GetInt32(0, 33)];
        WriteKey(BigInteger.ModPow(2, secretKey, Prime), reply.AsSpan(0, KeyLength));
        RandomNumberGenerator.Fill(reply.AsSpan(KeyLength));
        HandshakeExchange.SendAll(socket, systemBlocking, remote, reply, limit, "the encrypted handshake", cancellationToken);

        var shared = new byte[KeyLength];
        WriteKey(BigInteger.ModPow(theirs, secretKey, Prime), shared);

        // The peer's key is followed by up to 512 bytes of padding, then SHA1("req1", S) marks where its message begins.
        var marker = Hash("req1"u8, shared, default);
        int at;
        while ((at = buffer.AsSpan(KeyLength, filled - KeyLength).IndexOf(marker)) < 0)
        {
            if (filled >= KeyLength + MaxPadding + HashLength)
            {
                throw new PeerProtocolException(remote, "neither a BitTorrent handshake nor an encrypted one (no synchronisation hash within the padding allowed)");
            }

            filled = Need(filled + 1, "the encrypted handshake's synchronisation hash");
        }

        var position = KeyLength + at + HashLength;
        filled = Need(position + HashLength + CryptoFieldsLength, "the encrypted handshake's torrent");
        var asked = FindTorrent(buffer.AsSpan(position, HashLength), shared, served)
            ?? throw new PeerProtocolException(remote, "asked, in an encrypted handshake, for a torrent that is not served here");
        position += HashLength;

        var fromPeer = new Rc4(Hash("keyA"u8, shared, asked.AsSpan()));
        var toPeer = new Rc4(Hash("keyB"u8, shared, asked.AsSpan()));
        var fields = buffer.AsSpan(position, CryptoFieldsLength);
        fromPeer.Apply(fields);
        if (fields[..8].ContainsAnyExcept((byte)0))
        {
            throw new PeerProtocolException(remote, "an encrypted handshake whose verification bytes are wrong");
        }

        var provided = BinaryPrimitives.ReadUInt32BigEndian(fields[8..]);
        int padding = BinaryPrimitives.ReadUInt16BigEndian(fields[12..]);
        if (padding > MaxPadding)
        {
            throw new PeerProtocolException(remote, $"an encrypted handshake with {padding} bytes of padding (at most {MaxPadding})");
        }

        position += CryptoFieldsLength;
        filled = Need(position + padding + 2, "the encrypted handshake's padding");
        fromPeer.Apply(buffer.AsSpan(position, padding + 2));
        int initialLength = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(position + padding));
        position += padding + 2;
        if (initialLength > buffer.Length - position)
        {
            throw new PeerProtocolException(remote, $"an encrypted handshake with an initial payload of {initialLength} bytes");
        }

        filled = Need(position + initialLength, "the encrypted handshake's initial payload");
        fromPeer.Apply(buffer.AsSpan(position, initialLength));
        if ((provided & PlaintextStream) == 0)
        {
            throw new PeerProtocolException(remote, (provided & Rc4Stream) != 0
                ? "offers only an RC4-encrypted stream; TorrentPS takes encrypted handshakes, then plaintext"
                : $"an encrypted handshake offering no stream it names (crypto_provide {provided:X})");
        }

        Span<byte> answer = stackalloc byte[CryptoFieldsLength];
        answer.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(answer[8..], PlaintextStream);
        toPeer.Apply(answer);
        HandshakeExchange.SendAll(socket, systemBlocking, remote, answer, limit, "the encrypted handshake", cancellationToken);

        // From here the stream is plaintext: the initial payload (usually the BitTorrent handshake), then what follows.
        buffer.AsSpan(position, filled - position).CopyTo(buffer);
        return (asked, filled - position);
    }

    /// <summary>The served torrent whose <c>SHA1("req2", info hash)</c> the peer sent, masked with <c>SHA1("req3", S)</c>.</summary>
    private static InfoHash? FindTorrent(ReadOnlySpan<byte> masked, byte[] shared, Func<IEnumerable<InfoHash>> served)
    {
        Span<byte> wanted = Hash("req3"u8, shared, default);
        for (var n = 0; n < HashLength; n++)
        {
            wanted[n] ^= masked[n];
        }

        foreach (var infoHash in served())
        {
            if (Hash("req2"u8, infoHash.AsSpan(), default).AsSpan().SequenceEqual(wanted))
            {
                return infoHash;
            }
        }

        return null;
    }

    /// <summary>SHA-1 of a label and one or two byte strings, as the specification writes <c>HASH('label', a, b)</c>.</summary>
    internal static byte[] Hash(ReadOnlySpan<byte> label, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Span<byte> input = stackalloc byte[label.Length + first.Length + second.Length];
        label.CopyTo(input);
        first.CopyTo(input[label.Length..]);
        second.CopyTo(input[(label.Length + first.Length)..]);
        return SHA1.HashData(input);
    }

    /// <summary>A public key or shared secret as the specification sends it: 96 bytes, big-endian, zero-padded.</summary>
    internal static void WriteKey(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        var length = value.GetByteCount(isUnsigned: true);
        if (!value.TryWriteBytes(destination[(KeyLength - length)..], out _, isUnsigned: true, isBigEndian: true))
        {
            throw new InvalidOperationException("A key does not fit in 96 bytes.");
        }
    }
}
