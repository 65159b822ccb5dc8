namespace TorrentPS.Engine.Swarm;

/// <summary>A ut_pex message due to one peer: send <see cref="Body"/> as extended message <see cref="ExtendedId"/> (the peer's id for ut_pex).</summary>
internal readonly record struct PexOutgoing(int PeerId, byte ExtendedId, byte[] Body);
