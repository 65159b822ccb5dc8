using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Dht;

/// <summary>What the node does with each datagram: answers queries, matches answers to our queries, drops the rest.</summary>
internal sealed partial class DhtNode
{
    private void OnDatagram(ReadOnlyMemory<byte> datagram, IPEndPoint from)
    {
        if (IsClosed)
        {
            return;
        }

        KrpcMessage message;
        try
        {
            message = KrpcDecoder.Decode(datagram);
        }
        catch (KrpcException ex)
        {
            OnMalformed(ex, from);
            return;
        }

        if (message is KrpcQuery query)
        {
            OnQuery(query, from);
        }
        else
        {
            OnAnswer(message, from);
        }
    }

    /// <summary>A malformed query is answered with its error code (within the rate limit); a malformed answer fails the query it answers; the rest is dropped.</summary>
    private void OnMalformed(KrpcException error, IPEndPoint from)
    {
        var reply = false;
        PendingQuery? answered = null;
        lock (_gate)
        {
            _dropped++;
            if (error.TransactionId is { } transactionId)
            {
                if (error.IsQuery)
                {
                    reply = _limiter.TryAcquire(from.Address);
                }
                else
                {
                    answered = _transactions.Match(transactionId, from);
                }
            }
        }

        _logger.LogTrace("DHT: {Reason} from {EndPoint}", error.Reason, from);
        if (reply)
        {
            var text = error.ErrorCode == KrpcErrorCode.MethodUnknown ? "Method Unknown" : DisplayText.Escape(error.Reason, 100);
            Send(new KrpcError(error.TransactionId!, error.ErrorCode, text), from);
        }

        answered?.Completion.TrySetResult(null);
    }

    private void OnQuery(KrpcQuery query, IPEndPoint from)
    {
        KrpcMessage reply;
        var verify = false;
        lock (_gate)
        {
            if (!_limiter.TryAcquire(from.Address))
            {
                _dropped++;
                return;
            }

            _queriesReceived++;
            reply = Answer(query, from);
            if (!query.ReadOnly && !_routers.Contains(from))
            {
                var routing = _table.Heard(query.SenderId, from, responded: false);
                verify = routing.Outcome == RoutingOutcome.NeedsVerification && _verifying.Count < MaxVerifications && _verifying.Add(from.Address);
            }
        }

        Send(reply, from);
        if (verify)
        {
            RunInBackground(ct => VerifyAsync(from, ct));
        }
    }

    /// <summary>The answer to a valid query (called under the lock).</summary>
    private KrpcMessage Answer(KrpcQuery query, IPEndPoint from)
    {
        var response = new KrpcResponse(query.TransactionId, Id) { RequesterEndPoint = from, Version = _version };
        switch (query.Method)
        {
            case KrpcMethod.FindNode:
                return response with { Nodes = _table.Closest(query.Target!.Value) };
            case KrpcMethod.GetPeers:
                var infoHash = NodeId.FromInfoHash(query.InfoHash!);
                return response with
                {
                    Token = _tokens.Issue(from.Address),
                    Values = _peers.Get(infoHash, _options.MaxValuesPerAnswer, LocalEndPoint.AddressFamily),
                    Nodes = _table.Closest(infoHash),
                };
            case KrpcMethod.AnnouncePeer:
                if (!_tokens.IsValid(query.Token, from.Address))
                {
                    return new KrpcError(query.TransactionId, KrpcErrorCode.Protocol, "bad token") { Version = _version };
                }

                var peer = new IPEndPoint(from.Address, query.ImpliedPort ? from.Port : query.Port);
                if (!_peers.Add(NodeId.FromInfoHash(query.InfoHash!), peer))
                {
                    return new KrpcError(query.TransactionId, KrpcErrorCode.Server, "peer store full") { Version = _version };
                }

                return response;
            default:
                return response;
        }
    }

    /// <summary>An answer counts only when it matches an outstanding query's transaction id and end point.</summary>
    private void OnAnswer(KrpcMessage answer, IPEndPoint from)
    {
        PendingQuery? pending;
        RoutingResult routing = default;
        lock (_gate)
        {
            pending = _transactions.Match(answer.TransactionId, from);
            if (pending is null)
            {
                _dropped++;
                return;
            }

            if (answer is KrpcResponse response)
            {
                _responsesReceived++;
                if (!_routers.Contains(from))
                {
                    routing = _table.Heard(response.SenderId, from, responded: true);
                }
            }
        }

        if (routing.PingFirst is { } questionable)
        {
            RunInBackground(ct => PingQuestionableAsync(questionable, ct));
        }

        pending.Completion.TrySetResult(answer);
    }

    /// <summary>Pings a node that queried us; its answer admits it to the table (see <see cref="OnAnswer"/>).</summary>
    private async Task VerifyAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        try
        {
            await QueryAsync(endPoint, KrpcQuery.Ping([0], Id), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _verifying.Remove(endPoint.Address);
            }
        }
    }

    /// <summary>Pings a questionable node before a newcomer may take its place: a failure makes it bad and promotes the newcomer.</summary>
    private async Task PingQuestionableAsync(RoutingNode node, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(node.EndPoint, KrpcQuery.Ping([0], Id), cancellationToken).ConfigureAwait(false);
        if (answer is not KrpcResponse)
        {
            lock (_gate)
            {
                _table.PingAbandoned(node);
            }
        }
    }
}
