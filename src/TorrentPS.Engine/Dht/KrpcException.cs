using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A KRPC datagram that is not a valid message. A DHT node answers a malformed query with the error
/// <see cref="ErrorCode"/> (203, or 204 for an unknown method) when it could read the query's transaction id, and
/// drops anything else. The message is safe to show; <see cref="Reason"/> says what was wrong without the prefix.
/// </summary>
internal sealed class KrpcException : TorrentPSException
{
    public KrpcException(string reason, int errorCode = KrpcErrorCode.Protocol, byte[]? transactionId = null, bool isQuery = false, Exception? innerException = null)
        : base("InvalidKrpcMessage", TorrentErrorKind.ProtocolError, $"Invalid KRPC message: {reason}", innerException)
    {
        Reason = reason;
        ErrorCode = errorCode;
        TransactionId = transactionId;
        IsQuery = isQuery;
    }

    /// <summary>What was wrong, without the prefix.</summary>
    public string Reason { get; }

    /// <summary>The KRPC error code that answers it: <see cref="KrpcErrorCode.Protocol"/> or <see cref="KrpcErrorCode.MethodUnknown"/>.</summary>
    public int ErrorCode { get; }

    /// <summary>The message's <c>t</c> when it could be read; null when the datagram cannot be answered.</summary>
    public byte[]? TransactionId { get; }

    /// <summary>True when the message said it is a query (<c>y</c> = <c>q</c>): only queries are answered with an error.</summary>
    public bool IsQuery { get; }
}
