using System.Net;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Wire;

/// <summary>Base of the errors of one peer connection: each names the peer it happened with.</summary>
public abstract class PeerException : TorrentPSException
{
    private protected PeerException(string errorId, TorrentErrorKind kind, IPEndPoint? endPoint, string message, Exception? innerException = null)
        : base(errorId, kind, endPoint is null ? message : $"Peer {endPoint}: {message}", innerException)
    {
        EndPoint = endPoint;
        Reason = message;
    }

    /// <summary>The peer's address, when the error happened on a connection.</summary>
    public IPEndPoint? EndPoint { get; }

    /// <summary>What went wrong, without the peer's address.</summary>
    public string Reason { get; }
}
