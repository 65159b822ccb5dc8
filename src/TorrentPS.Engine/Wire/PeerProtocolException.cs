using System.Net;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Wire;

/// <summary>The peer broke the wire protocol: bad framing, an oversized length, a bad bitfield, garbage.</summary>
internal sealed class PeerProtocolException(IPEndPoint? endPoint, string message, Exception? innerException = null)
    : PeerException("PeerProtocolError", TorrentErrorKind.ProtocolError, endPoint, message, innerException)
{
    /// <summary>The same error, now naming the peer it came from.</summary>
    public PeerProtocolException WithEndPoint(IPEndPoint endPoint) => EndPoint is null ? new(endPoint, Reason, InnerException) : this;
}
