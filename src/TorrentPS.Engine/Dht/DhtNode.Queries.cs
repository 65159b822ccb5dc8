using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Dht;

/// <summary>Queries we send: a transaction each, a timeout on the node's clock, the routing table told of silence.</summary>
internal sealed partial class DhtNode
{
    /// <summary>
    /// Sends <paramref name="query"/> (its transaction id and version are filled in here) and waits for the answer: a
    /// response or an error, or null when none came within <see cref="DhtOptions.QueryTimeout"/>, the datagram could not
    /// be sent, too many queries are outstanding, or the node closed. Silence counts against the node in the routing table.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal async Task<KrpcMessage?> QueryAsync(IPEndPoint to, KrpcQuery query, CancellationToken cancellationToken)
    {
        PendingQuery? pending;
        lock (_gate)
        {
            pending = IsClosed ? null : _transactions.Begin(to, query.Method);
            if (pending is null)
            {
                return null;
            }

            _queriesSent++;
        }

        if (!Send(query with { TransactionId = pending.TransactionId, Version = _version }, to))
        {
            lock (_gate)
            {
                _transactions.End(pending);
            }

            return null;
        }

        using var timeout = new CancellationTokenSource(_options.QueryTimeout, _time);
        using var onTimeout = timeout.Token.UnsafeRegister(static state => ((PendingQuery)state!).Completion.TrySetResult(null), pending);
        using var onCancel = cancellationToken.UnsafeRegister(static state => ((PendingQuery)state!).Completion.TrySetCanceled(), pending);
        KrpcMessage? answer = null;
        var cancelled = false;
        try
        {
            answer = await pending.Completion.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
            throw;
        }
        finally
        {
            if (answer is null)
            {
                lock (_gate)
                {
                    _transactions.End(pending);
                    if (!cancelled && !IsClosed)
                    {
                        _timeouts++;
                        _table.Failed(to);
                    }
                }
            }
        }

        return answer;
    }

    /// <summary>Encodes and sends one message; false when the transport could not send it.</summary>
    private bool Send(KrpcMessage message, IPEndPoint to)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        message.WriteTo(buffer);
        var sent = _transport.Send(buffer.WrittenSpan, to);
        if (!sent)
        {
            _logger.LogTrace("DHT: could not send to {EndPoint}", to);
        }

        return sent;
    }
}
