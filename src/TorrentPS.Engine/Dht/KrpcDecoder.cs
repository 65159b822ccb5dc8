using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// Reads KRPC datagrams from anyone on the internet, strictly and within bounds: at most
/// <see cref="KrpcMessage.MaxDatagramLength"/> bytes, shallow nesting and few values (so a datagram costs microseconds),
/// exactly one bencoded dictionary, a transaction id, a known kind, ids of 20 bytes, node strings of whole 26- or
/// 38-byte entries, peer values of 6 or 18 bytes. Keys it does not know are ignored (later BEPs add them), as are
/// optional extension fields (<c>want</c>, <c>ip</c>, <c>v</c>) of the wrong shape. Every failure is a
/// <see cref="KrpcException"/> saying whether the message can be answered (a query whose <c>t</c> was readable).
/// </summary>
internal static class KrpcDecoder
{
    private static readonly BencodeReaderOptions Bounds = new()
    {
        MaxInputLength = KrpcMessage.MaxDatagramLength,
        MaxDepth = 6,
        MaxValueCount = 1024,
    };

    public static KrpcMessage Decode(ReadOnlyMemory<byte> datagram)
    {
        if (datagram.Length > KrpcMessage.MaxDatagramLength)
        {
            throw new KrpcException($"a datagram of {datagram.Length} bytes is longer than the {KrpcMessage.MaxDatagramLength} read");
        }

        BencodeDictionary message;
        try
        {
            message = BencodeDecoder.DecodeDictionary(datagram, Bounds);
        }
        catch (BencodeException ex)
        {
            throw new KrpcException($"not one bencoded dictionary ({ex.Reason} at byte {ex.Offset})", innerException: ex);
        }

        if (!message.TryGetValue("t", out var tValue) || tValue is not BencodeString { Length: > 0 and <= KrpcMessage.MaxTransactionIdLength } t)
        {
            throw new KrpcException($"no transaction id 't' of 1 to {KrpcMessage.MaxTransactionIdLength} bytes");
        }

        var transactionId = t.Span.ToArray();
        var kind = message.Get<BencodeString>("y");
        var version = message.Get<BencodeString>("v") is { Length: > 0 and <= KrpcMessage.MaxVersionLength } v ? v.Span.ToArray() : null;
        if (kind is { Length: 1 })
        {
            switch (kind.Span[0])
            {
                case (byte)'q':
                    return ReadQuery(message, transactionId) with { Version = version };
                case (byte)'r':
                    return ReadResponse(message, transactionId) with { Version = version };
                case (byte)'e':
                    return ReadError(message, transactionId) with { Version = version };
            }
        }

        throw new KrpcException("no message kind 'y' of 'q', 'r' or 'e'", transactionId: transactionId);
    }

    private static KrpcQuery ReadQuery(BencodeDictionary message, byte[] transactionId)
    {
        if (message.Get<BencodeString>("q") is not { } name)
        {
            throw QueryError("no method name 'q'", transactionId);
        }

        KrpcMethod method;
        if (name.EqualsUtf8("ping"u8))
        {
            method = KrpcMethod.Ping;
        }
        else if (name.EqualsUtf8("find_node"u8))
        {
            method = KrpcMethod.FindNode;
        }
        else if (name.EqualsUtf8("get_peers"u8))
        {
            method = KrpcMethod.GetPeers;
        }
        else if (name.EqualsUtf8("announce_peer"u8))
        {
            method = KrpcMethod.AnnouncePeer;
        }
        else
        {
            throw new KrpcException($"unknown method '{Show(name)}'", KrpcErrorCode.MethodUnknown, transactionId, isQuery: true);
        }

        if (message.Get<BencodeDictionary>("a") is not { } arguments)
        {
            throw QueryError("no arguments dictionary 'a'", transactionId);
        }

        var query = new KrpcQuery(transactionId, method, ReadId(arguments, "id", transactionId))
        {
            ReadOnly = arguments.Get<BencodeInteger>("ro") is { Value: not 0 },
            Want = ReadWant(arguments),
        };
        switch (method)
        {
            case KrpcMethod.FindNode:
                return query with { Target = ReadId(arguments, "target", transactionId) };
            case KrpcMethod.GetPeers:
                return query with { InfoHash = new InfoHash(ReadId(arguments, "info_hash", transactionId).ToArray()) };
            case KrpcMethod.AnnouncePeer:
                var implied = arguments.TryGetValue("implied_port", out var impliedValue)
                    ? impliedValue is BencodeInteger i ? i.Value != 0 : throw QueryError("'implied_port' is not an integer", transactionId)
                    : false;
                var port = arguments.Get<BencodeInteger>("port");
                if (!implied && port is not { Value: > 0 and <= 65535 })
                {
                    throw QueryError("no 'port' from 1 to 65535", transactionId);
                }

                if (arguments.Get<BencodeString>("token") is not { Length: > 0 and <= KrpcMessage.MaxTokenLength } token)
                {
                    throw QueryError($"no 'token' of 1 to {KrpcMessage.MaxTokenLength} bytes", transactionId);
                }

                return query with
                {
                    InfoHash = new InfoHash(ReadId(arguments, "info_hash", transactionId).ToArray()),
                    Port = port is { Value: > 0 and <= 65535 } ? (int)port.Value : 0,
                    ImpliedPort = implied,
                    Token = token.Span.ToArray(),
                };
            default:
                return query;
        }
    }

    private static KrpcResponse ReadResponse(BencodeDictionary message, byte[] transactionId)
    {
        if (message.Get<BencodeDictionary>("r") is not { } values)
        {
            throw new KrpcException("a response without a dictionary 'r'", transactionId: transactionId);
        }

        var response = new KrpcResponse(transactionId, ReadId(values, "id", transactionId, isQuery: false));
        List<DhtContact>? nodes = null;
        ReadNodes(values, "nodes", AddressFamily.InterNetwork, transactionId, ref nodes);
        ReadNodes(values, "nodes6", AddressFamily.InterNetworkV6, transactionId, ref nodes);
        List<IPEndPoint>? peers = null;
        if (values.TryGetValue("values", out var valuesValue))
        {
            if (valuesValue is not BencodeList list)
            {
                throw new KrpcException("'values' is not a list", transactionId: transactionId);
            }

            peers = new List<IPEndPoint>(list.Count);
            foreach (var item in list)
            {
                if (item is not BencodeString entry || !CompactPeerInfo.TryRead(entry.Span, out var peer))
                {
                    throw new KrpcException("a 'values' entry is not a compact peer of 6 or 18 bytes", transactionId: transactionId);
                }

                if (peer.Port != 0)
                {
                    peers.Add(peer);
                }
            }
        }

        byte[]? token = null;
        if (values.TryGetValue("token", out var tokenValue))
        {
            token = tokenValue is BencodeString { Length: > 0 and <= KrpcMessage.MaxTokenLength } s
                ? s.Span.ToArray()
                : throw new KrpcException($"'token' is not a string of 1 to {KrpcMessage.MaxTokenLength} bytes", transactionId: transactionId);
        }

        var requester = message.Get<BencodeString>("ip") is { } ip && CompactPeerInfo.TryRead(ip.Span, out var seen) ? seen : null;
        return response with
        {
            Nodes = nodes is null ? [] : nodes,
            Values = peers is null ? [] : peers,
            Token = token,
            RequesterEndPoint = requester,
        };
    }

    private static KrpcError ReadError(BencodeDictionary message, byte[] transactionId)
    {
        if (message.Get<BencodeList>("e") is not { Count: >= 2 } error
            || error[0] is not BencodeInteger { Value: >= 0 and <= int.MaxValue } code
            || error[1] is not BencodeString text)
        {
            throw new KrpcException("an error without a list 'e' of a code and a message", transactionId: transactionId);
        }

        // Cut by characters, after decoding: a cut through a UTF-8 sequence would read differently each time it is re-sent.
        var shown = text.Text;
        return new KrpcError(transactionId, (int)code.Value, shown.Length <= KrpcError.MaxMessageLength ? shown : shown[..KrpcError.MaxMessageLength]);
    }

    private static NodeId ReadId(BencodeDictionary values, string key, byte[] transactionId, bool isQuery = true)
    {
        if (values.Get<BencodeString>(key) is not { Length: NodeId.Length } id)
        {
            throw new KrpcException($"no '{key}' of {NodeId.Length} bytes", transactionId: transactionId, isQuery: isQuery);
        }

        return new NodeId(id.Span);
    }

    private static void ReadNodes(BencodeDictionary values, string key, AddressFamily family, byte[] transactionId, ref List<DhtContact>? nodes)
    {
        if (!values.TryGetValue(key, out var value))
        {
            return;
        }

        if (value is not BencodeString compact || !CompactNodeInfo.TryRead(compact.Span, family, out var read))
        {
            throw new KrpcException($"'{key}' is not a string of whole {CompactNodeInfo.EntryLength(family)}-byte entries", transactionId: transactionId);
        }

        if (nodes is null)
        {
            nodes = read;
        }
        else
        {
            nodes.AddRange(read);
        }
    }

    private static KrpcWant ReadWant(BencodeDictionary arguments)
    {
        var want = KrpcWant.None;
        if (arguments.Get<BencodeList>("want") is { } list)
        {
            foreach (var item in list)
            {
                if (item is BencodeString s)
                {
                    want |= s.EqualsUtf8("n4"u8) ? KrpcWant.IPv4 : s.EqualsUtf8("n6"u8) ? KrpcWant.IPv6 : KrpcWant.None;
                }
            }
        }

        return want;
    }

    private static KrpcException QueryError(string reason, byte[] transactionId)
        => new(reason, KrpcErrorCode.Protocol, transactionId, isQuery: true);

    private static string Show(BencodeString name) => DisplayText.Escape(name.Text, 40);
}
