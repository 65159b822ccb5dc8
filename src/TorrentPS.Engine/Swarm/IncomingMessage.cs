using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// A peer message as the loop receives it, in a batch: copied out of the receive buffer (a bitfield's or extended
/// message's bytes are owned). For a piece message the block itself already went into its piece; only where it went
/// (<see cref="Outcome"/>) comes along.
/// </summary>
internal readonly record struct IncomingMessage(PeerMessageType Type, int Index = 0, int Begin = 0, int Length = 0, byte[]? Payload = null, byte ExtendedId = 0, BlockOutcome Outcome = BlockOutcome.Accepted);
