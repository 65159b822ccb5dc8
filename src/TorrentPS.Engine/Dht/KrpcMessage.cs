using System.Buffers;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// One KRPC message (BEP 5): a bencoded dictionary in one UDP datagram with a transaction id <c>t</c> that the answer
/// echoes, a kind <c>y</c> (query, response or error) and an optional client version <c>v</c>. Byte fields are copies:
/// a decoded message holds nothing of the datagram it came from.
/// </summary>
internal abstract record KrpcMessage(byte[] TransactionId)
{
    /// <summary>The largest datagram decoded; larger ones are dropped unread (BEP 5 messages fit one Ethernet frame).</summary>
    public const int MaxDatagramLength = 4096;

    /// <summary>The longest transaction id accepted (BEP 5 suggests two bytes; they are echoed, so they stay short).</summary>
    public const int MaxTransactionIdLength = 32;

    /// <summary>The longest token accepted (libtorrent sends 4 bytes, others 8 or 20).</summary>
    public const int MaxTokenLength = 64;

    /// <summary>The longest client version kept; a longer <c>v</c> is ignored.</summary>
    public const int MaxVersionLength = 32;

    /// <summary>The client that sent it (<c>v</c>), when it said so.</summary>
    public byte[]? Version { get; init; }

    /// <summary>Decodes one datagram strictly and within bounds.</summary>
    /// <exception cref="KrpcException">Not a valid KRPC message; says whether and how to answer it.</exception>
    public static KrpcMessage Decode(ReadOnlyMemory<byte> datagram) => KrpcDecoder.Decode(datagram);

    /// <summary>The message as bencode with its keys in canonical order.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the message as bencode with its keys in canonical order.</summary>
    public void WriteTo(IBufferWriter<byte> output) => KrpcEncoder.Write(this, output);
}
