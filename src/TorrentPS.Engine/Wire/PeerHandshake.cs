using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// What a peer said in its handshake (BEP 3) and extension handshake (BEP 10). Immutable; what
/// <c>Invoke-PeerHandshake</c> emits.
/// </summary>
public sealed class PeerHandshake
{
    public PeerHandshake(TorrentPeer peer, HandshakeMessage remote, ExtensionHandshake? extensionHandshake, TimeSpan elapsed)
    {
        Peer = peer;
        Id = remote.PeerId;
        ReservedBits = remote.Reserved;
        ExtensionHandshake = extensionHandshake;
        ElapsedSpan = elapsed;
        Client = PeerClient.FromPeerId(remote.PeerId).DisplayName;
    }

    public TorrentPeer Peer { get; }

    /// <summary>The info hash as 40 lowercase hex digits.</summary>
    public string InfoHash => Peer.InfoHash;

    internal InfoHash Hash => Peer.Hash;

    /// <summary>The peer's <c>ip:port</c>, as text.</summary>
    public string EndPoint => Peer.EndPointText;

    internal IPEndPoint IPEndPoint => Peer.IPEndPoint;

    /// <summary>The peer's 20-byte peer id as 40 lowercase hex digits.</summary>
    public string PeerId => Id.Hex;

    internal PeerId Id { get; }

    /// <summary>The client the peer id names, e.g. <c>libtorrent (rasterbar) 2.0.8</c>.</summary>
    public string Client { get; }

    /// <summary>The peer's reserved bits as 16 hex digits.</summary>
    /// <summary>The 8 reserved bytes of the handshake as 16 hex digits (<c>0000000000100005</c>).</summary>
    public string Reserved => ReservedBits.ToString();

    internal ReservedBits ReservedBits { get; }

    public bool SupportsExtensionProtocol => ReservedBits.SupportsExtensionProtocol;

    public bool SupportsFastExtension => ReservedBits.SupportsFastExtension;

    public bool SupportsDht => ReservedBits.SupportsDht;

    /// <summary>The peer's extension handshake, when both sides speak the extension protocol and it was exchanged.</summary>
    internal ExtensionHandshake? ExtensionHandshake { get; }

    /// <summary>Extension name → the message id the peer wants for it (<c>m</c>).</summary>
    public IReadOnlyDictionary<string, byte> Extensions => ExtensionHandshake?.Extensions ?? EmptyExtensions;

    /// <summary>The peer's ut_metadata message id, or null.</summary>
    public byte? MetadataExtensionId => ExtensionHandshake?.GetMessageId(ExtensionHandshake.UtMetadata);

    public long? MetadataSize => ExtensionHandshake?.MetadataSize;

    /// <summary><c>v</c> from the extension handshake, e.g. <c>libtorrent/2.0.8</c>.</summary>
    public string? ClientVersion => ExtensionHandshake?.ClientVersion;

    /// <summary><c>reqq</c>: how many requests the peer queues.</summary>
    public int? RequestQueueLimit => ExtensionHandshake?.RequestQueueLimit;

    /// <summary><c>p</c>: the port the peer listens on.</summary>
    public int? ListenPort => ExtensionHandshake?.ListenPort;

    /// <summary><c>yourip</c>: our address as the peer sees it.</summary>
    public string? YourIp => ExtensionHandshake?.YourIp?.ToString();

    public bool UploadOnly => ExtensionHandshake?.UploadOnly ?? false;

    /// <summary>How long the connection and the handshakes took, in seconds.</summary>
    public double Elapsed => ElapsedSpan.TotalSeconds;

    internal TimeSpan ElapsedSpan { get; }

    /// <summary><c>127.0.0.2:6881 2d4c54… (libtorrent/2.0.8)</c>: the peer's own name for itself (<c>v</c>) when it gave one, escaped (a peer chooses it).</summary>
    public override string ToString() => $"{Peer} {Id} ({Text.DisplayText.Escape(ClientVersion ?? Client, 64)})";

    private static readonly IReadOnlyDictionary<string, byte> EmptyExtensions = new Dictionary<string, byte>();
}
