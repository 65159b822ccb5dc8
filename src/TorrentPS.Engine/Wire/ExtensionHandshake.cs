using System.Buffers;
using System.Net;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The BEP 10 extension handshake (extended message 0): <c>m</c> (extension name → message id),
/// <c>v</c>, <c>p</c>, <c>reqq</c>, <c>yourip</c>, <c>metadata_size</c> (BEP 9), <c>upload_only</c>.
/// Reading tolerates what is harmless: unknown keys are ignored, a value of the wrong type is treated
/// as absent, ids outside 1–255 are dropped (0 disables an extension).
/// </summary>
public sealed class ExtensionHandshake
{
    public const string UtMetadata = "ut_metadata";
    public const string UtPex = "ut_pex";

    private static readonly BencodeReaderOptions ReaderOptions = new() { MaxDepth = 8, MaxValueCount = 4096, MaxInputLength = 1024 * 1024 };

    public ExtensionHandshake(
        IReadOnlyDictionary<string, byte>? extensions = null,
        string? clientVersion = null,
        int? listenPort = null,
        int? requestQueueLimit = null,
        IPAddress? yourIp = null,
        long? metadataSize = null,
        bool uploadOnly = false)
    {
        Extensions = extensions ?? new Dictionary<string, byte>(StringComparer.Ordinal);
        ClientVersion = clientVersion;
        ListenPort = listenPort;
        RequestQueueLimit = requestQueueLimit;
        YourIp = yourIp;
        MetadataSize = metadataSize;
        UploadOnly = uploadOnly;
    }

    /// <summary><c>m</c>: the extensions the sender supports and the message id it wants for each.</summary>
    public IReadOnlyDictionary<string, byte> Extensions { get; }

    /// <summary><c>v</c>: the client's name and version, e.g. <c>libtorrent/2.0.8</c>.</summary>
    public string? ClientVersion { get; }

    /// <summary><c>p</c>: the sender's listen port.</summary>
    public int? ListenPort { get; }

    /// <summary><c>reqq</c>: how many outstanding requests the sender accepts.</summary>
    public int? RequestQueueLimit { get; }

    /// <summary><c>yourip</c>: the address the sender sees us at.</summary>
    public IPAddress? YourIp { get; }

    /// <summary><c>metadata_size</c>: the info dictionary's size in bytes (BEP 9).</summary>
    public long? MetadataSize { get; }

    /// <summary><c>upload_only</c>: the sender only uploads (it is a seed or not downloading).</summary>
    public bool UploadOnly { get; }

    /// <summary>The message id the sender wants for <paramref name="extension"/>, or null when it does not support it.</summary>
    public byte? GetMessageId(string extension) => Extensions.TryGetValue(extension, out var id) ? id : null;

    /// <summary>
    /// What this client says: ut_metadata as message 1, ut_pex as message 2 when <paramref name="peerExchange"/> is set
    /// (only once the torrent's loop handles ut_pex; never for a private torrent), and our version.
    /// </summary>
    public static ExtensionHandshake CreateLocal(int? listenPort = null, long? metadataSize = null, IPAddress? yourIp = null, int requestQueueLimit = 250, bool peerExchange = false)
    {
        var extensions = new Dictionary<string, byte>(StringComparer.Ordinal) { [UtMetadata] = LocalUtMetadataId };
        if (peerExchange)
        {
            extensions[UtPex] = LocalUtPexId;
        }

        return new(
            extensions,
            $"TorrentPS {typeof(ExtensionHandshake).Assembly.GetName().Version?.ToString(3) ?? "0.1.0"}",
            listenPort is > 0 and <= 65535 ? listenPort : null,
            requestQueueLimit,
            yourIp,
            metadataSize);
    }

    /// <summary>The id under which we receive ut_metadata messages.</summary>
    public const byte LocalUtMetadataId = 1;

    /// <summary>The id under which we receive ut_pex messages (when we advertise ut_pex at all).</summary>
    public const byte LocalUtPexId = 2;

    /// <summary>Reads the bencoded body of extended message 0.</summary>
    /// <exception cref="PeerProtocolException">The body is not a bencoded dictionary.</exception>
    public static ExtensionHandshake Decode(ReadOnlyMemory<byte> payload)
    {
        // Some clients pad the message: what follows the dictionary is ignored.
        var root = BencodedPayload.ReadDictionary(payload, ReaderOptions, "the extension handshake", out _);

        var extensions = new Dictionary<string, byte>(StringComparer.Ordinal);
        if (root.Get<BencodeDictionary>("m") is { } m)
        {
            foreach (var (key, value) in m)
            {
                if (value is BencodeInteger { Value: > 0 and <= 255 } id && key.TryGetUtf8(out var name))
                {
                    extensions.TryAdd(name, (byte)id.Value);
                }
            }
        }

        return new ExtensionHandshake(
            extensions,
            root.Get<BencodeString>("v")?.Text,
            root.Get<BencodeInteger>("p") is { Value: > 0 and <= 65535 } p ? (int)p.Value : null,
            root.Get<BencodeInteger>("reqq") is { Value: > 0 } reqq ? (int)Math.Min(reqq.Value, int.MaxValue) : null,
            root.Get<BencodeString>("yourip") is { Length: 4 or 16 } ip ? new IPAddress(ip.Span) : null,
            root.Get<BencodeInteger>("metadata_size") is { Value: >= 0 } size ? size.Value : null,
            root.Get<BencodeInteger>("upload_only") is { Value: not 0 });
    }

    /// <summary>Writes the bencoded body (keys in canonical order).</summary>
    public void Encode(IBufferWriter<byte> output)
    {
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteString("m"u8);
        writer.WriteDictionaryStart();
        var names = new string[Extensions.Count];
        var i = 0;
        foreach (var name in Extensions.Keys)
        {
            names[i++] = name;
        }

        Array.Sort(names, StringComparer.Ordinal);
        foreach (var name in names)
        {
            writer.WriteString(name);
            writer.WriteInteger(Extensions[name]);
        }

        writer.WriteEnd();
        if (MetadataSize is { } metadataSize)
        {
            writer.WriteString("metadata_size"u8);
            writer.WriteInteger(metadataSize);
        }

        if (ListenPort is { } port)
        {
            writer.WriteString("p"u8);
            writer.WriteInteger(port);
        }

        if (RequestQueueLimit is { } reqq)
        {
            writer.WriteString("reqq"u8);
            writer.WriteInteger(reqq);
        }

        if (UploadOnly)
        {
            writer.WriteString("upload_only"u8);
            writer.WriteInteger(1);
        }

        if (ClientVersion is { } version)
        {
            writer.WriteString("v"u8);
            writer.WriteString(version);
        }

        if (YourIp is { } yourIp)
        {
            writer.WriteString("yourip"u8);
            var address = yourIp.IsIPv4MappedToIPv6 ? yourIp.MapToIPv4() : yourIp;
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out var written);
            writer.WriteString(bytes[..written]);
        }

        writer.WriteEnd();
    }

    public byte[] ToArray()
    {
        using var buffer = new PooledBufferWriter();
        Encode(buffer);
        return buffer.WrittenSpan.ToArray();
    }

}
