using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Wire;

/// <summary>One peer's result in a concurrent run: the handshake, or the typed error it ended with.</summary>
public sealed record PeerHandshakeOutcome(TorrentPeer Peer, PeerHandshake? Handshake, PeerException? Error)
{
    public bool Succeeded => Handshake is not null;
}
