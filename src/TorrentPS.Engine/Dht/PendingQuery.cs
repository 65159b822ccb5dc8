using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A query we sent and wait an answer to. Its completion holds the answer (a response or an error), or null when it
/// timed out or could not be sent. Continuations run where it completes (the receive thread, or the timer): whoever
/// completes it holds no lock.
/// </summary>
internal sealed class PendingQuery(ushort id, IPEndPoint to, KrpcMethod method)
{
    public ushort Id { get; } = id;

    /// <summary>The two bytes of <c>t</c>.</summary>
    public byte[] TransactionId { get; } = [(byte)(id >> 8), (byte)id];

    public IPEndPoint To { get; } = to;

    public KrpcMethod Method { get; } = method;

    public TaskCompletionSource<KrpcMessage?> Completion { get; } = new();
}
