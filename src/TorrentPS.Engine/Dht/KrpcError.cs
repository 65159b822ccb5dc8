namespace TorrentPS.Engine.Dht;

/// <summary>A KRPC error (<c>y</c> = <c>e</c>): a code (<see cref="KrpcErrorCode"/>) and a message from the other node (raw: escape it before showing it).</summary>
internal sealed record KrpcError(byte[] TransactionId, int Code, string Message) : KrpcMessage(TransactionId)
{
    /// <summary>The most characters of an error message kept; the rest is cut.</summary>
    public const int MaxMessageLength = 256;
}
