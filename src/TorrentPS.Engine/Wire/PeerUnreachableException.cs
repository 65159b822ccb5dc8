using System.Net;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Wire;

/// <summary>The peer refused the connection, could not be reached, or hung up before the handshake was done.</summary>
internal sealed class PeerUnreachableException(IPEndPoint? endPoint, string message, Exception? innerException = null)
    : PeerException("PeerUnreachable", TorrentErrorKind.ConnectionError, endPoint, message, innerException);
