using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// How a connection introduces itself. The reserved bits advertise only what the connection will use:
/// the extension protocol when <see cref="ExtensionProtocol"/>, the fast extension when
/// <see cref="FastExtension"/>, DHT only when <see cref="Dht"/> (DHT is on).
/// </summary>
public sealed record HandshakeOptions
{
    internal static HandshakeOptions Default { get; } = new();

    /// <summary>The challenge's handshake: reserved bytes <c>00 00 00 00 00 10 00 00</c>, no extension handshake.</summary>
    public static HandshakeOptions ExtensionBitOnly { get; } = new() { ExtensionProtocol = true, FastExtension = false, Dht = false, ExchangeExtensionHandshake = false };

    /// <summary>Our peer id; a fresh one for each connection when null (independent handshakes, as <c>Invoke-PeerHandshake</c> makes).</summary>
    internal PeerId? PeerId { get; init; }

    /// <summary>Advertise and use the BEP 10 extension protocol.</summary>
    internal bool ExtensionProtocol { get; init; } = true;

    /// <summary>Advertise the BEP 6 fast extension. Off until the swarm code honours its rules.</summary>
    internal bool FastExtension { get; init; }

    /// <summary>Advertise BEP 5 DHT: only when this client runs a DHT node.</summary>
    internal bool Dht { get; init; }

    /// <summary>After the handshake, exchange BEP 10 extension handshakes when both sides support them.</summary>
    public bool ExchangeExtensionHandshake { get; init; } = true;

    /// <summary>What we say in our extension handshake; a default one (ut_metadata, our version) when null.</summary>
    internal ExtensionHandshake? LocalExtensionHandshake { get; init; }

    /// <summary>The torrent's piece count when known, so a peer's bitfield can be checked; 0 when unknown.</summary>
    public int PieceCount { get; init; }

    /// <summary>The local address to dial from (e.g. one 127.0.0.x per test, or a chosen interface); any when null.</summary>
    internal System.Net.IPAddress? LocalAddress { get; init; }

    internal TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait for the peer's handshake, and for its extension handshake after that.</summary>
    internal TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest a peer may take to finish a message it started (a stalled peer is dropped).</summary>
    internal TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal ReservedBits ReservedBits => ReservedBits.Create(ExtensionProtocol, FastExtension, Dht);

    /// <summary>
    /// The longest one dial and handshake can take: the connect, the peer's handshake (peer id included), and its
    /// extension handshake when one is exchanged, each within its own timeout.
    /// </summary>
    internal TimeSpan LongestDial => ConnectTimeout + HandshakeTimeout + (ExtensionProtocol && ExchangeExtensionHandshake ? HandshakeTimeout : TimeSpan.Zero);

    internal PeerId ResolvePeerId() => PeerId ?? Peers.PeerId.Generate();

    /// <summary>The same options with every timeout set to <paramref name="timeout"/>.</summary>
    public HandshakeOptions WithTimeout(TimeSpan timeout) => this with { ConnectTimeout = timeout, HandshakeTimeout = timeout, MessageTimeout = timeout };
}
