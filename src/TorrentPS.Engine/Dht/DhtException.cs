using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A DHT node cannot do what it was asked: its UDP port cannot be bound (<c>DhtPortUnavailable</c>), or a default
/// public router would be resolved while <see cref="DhtOptions.ForbidDefaultRouters"/> is set
/// (<c>DhtDefaultRouterForbidden</c>, the guard that keeps tests off the internet).
/// </summary>
internal sealed class DhtException(string errorId, TorrentErrorKind kind, string message, Exception? innerException = null)
    : TorrentPSException(errorId, kind, message, innerException);
