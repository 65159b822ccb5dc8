using System.Net;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Wire;

/// <summary>The peer did not connect, answer or finish a message in time.</summary>
internal sealed class PeerTimeoutException(IPEndPoint? endPoint, string message, Exception? innerException = null)
    : PeerException("PeerTimeout", TorrentErrorKind.OperationTimeout, endPoint, message, innerException);
