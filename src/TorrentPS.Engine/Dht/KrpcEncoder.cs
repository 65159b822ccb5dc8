using System.Buffers;
using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// Writes KRPC messages as canonical bencode (keys in ascending byte order at every level), straight into a buffer.
/// Optional fields are written only when set, so BEP 5's examples encode to exactly their published bytes.
/// </summary>
internal static class KrpcEncoder
{
    public static void Write(KrpcMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.TransactionId is not { Length: > 0 })
        {
            throw new ArgumentException("A KRPC message needs a transaction id.", nameof(message));
        }

        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        switch (message)
        {
            case KrpcQuery query:
                writer.WriteString("a"u8);
                WriteArguments(writer, query);
                writer.WriteString("q"u8);
                writer.WriteString(KrpcQuery.WireName(query.Method));
                WriteTail(writer, message, "q"u8);
                break;
            case KrpcResponse response:
                if (response.RequesterEndPoint is { } requester)
                {
                    writer.WriteString("ip"u8);
                    writer.WriteString(CompactPeerInfo.ToArray(requester));
                }

                writer.WriteString("r"u8);
                WriteValues(writer, response);
                WriteTail(writer, message, "r"u8);
                break;
            case KrpcError error:
                writer.WriteString("e"u8);
                writer.WriteListStart();
                writer.WriteInteger(error.Code);
                writer.WriteString(error.Message);
                writer.WriteEnd();
                WriteTail(writer, message, "e"u8);
                break;
            default:
                throw new ArgumentException($"Unknown KRPC message {message.GetType().Name}.", nameof(message));
        }

        writer.WriteEnd();
    }

    /// <summary>The keys after the body, in order: <c>t</c>, <c>v</c>, <c>y</c>.</summary>
    private static void WriteTail(BencodeWriter writer, KrpcMessage message, ReadOnlySpan<byte> kind)
    {
        writer.WriteString("t"u8);
        writer.WriteString(message.TransactionId);
        if (message.Version is { Length: > 0 } version)
        {
            writer.WriteString("v"u8);
            writer.WriteString(version);
        }

        writer.WriteString("y"u8);
        writer.WriteString(kind);
    }

    private static void WriteArguments(BencodeWriter writer, KrpcQuery query)
    {
        Span<byte> id = stackalloc byte[NodeId.Length];
        writer.WriteDictionaryStart();
        query.SenderId.CopyTo(id);
        writer.WriteString("id"u8);
        writer.WriteString(id);
        var announce = query.Method == KrpcMethod.AnnouncePeer;
        if (announce && query.ImpliedPort)
        {
            writer.WriteString("implied_port"u8);
            writer.WriteInteger(1);
        }

        if (query.Method is KrpcMethod.GetPeers or KrpcMethod.AnnouncePeer)
        {
            var infoHash = query.InfoHash ?? throw new ArgumentException($"A {KrpcQuery.WireName(query.Method)} query needs an info hash.", nameof(query));
            writer.WriteString("info_hash"u8);
            writer.WriteString(infoHash.AsSpan());
        }

        if (announce)
        {
            writer.WriteString("port"u8);
            writer.WriteInteger(query.Port);
        }

        if (query.ReadOnly)
        {
            writer.WriteString("ro"u8);
            writer.WriteInteger(1);
        }

        if (query.Method == KrpcMethod.FindNode)
        {
            var target = query.Target ?? throw new ArgumentException("A find_node query needs a target.", nameof(query));
            target.CopyTo(id);
            writer.WriteString("target"u8);
            writer.WriteString(id);
        }

        if (announce)
        {
            var token = query.Token ?? throw new ArgumentException("An announce_peer query needs a token.", nameof(query));
            writer.WriteString("token"u8);
            writer.WriteString(token);
        }

        if (query.Want != KrpcWant.None)
        {
            writer.WriteString("want"u8);
            writer.WriteListStart();
            if ((query.Want & KrpcWant.IPv4) != 0)
            {
                writer.WriteString("n4"u8);
            }

            if ((query.Want & KrpcWant.IPv6) != 0)
            {
                writer.WriteString("n6"u8);
            }

            writer.WriteEnd();
        }

        writer.WriteEnd();
    }

    private static void WriteValues(BencodeWriter writer, KrpcResponse response)
    {
        Span<byte> id = stackalloc byte[NodeId.Length];
        writer.WriteDictionaryStart();
        response.SenderId.CopyTo(id);
        writer.WriteString("id"u8);
        writer.WriteString(id);
        if (HasFamily(response.Nodes, AddressFamily.InterNetwork))
        {
            writer.WriteString("nodes"u8);
            writer.WriteString(CompactNodeInfo.Write(response.Nodes, AddressFamily.InterNetwork));
        }

        if (HasFamily(response.Nodes, AddressFamily.InterNetworkV6))
        {
            writer.WriteString("nodes6"u8);
            writer.WriteString(CompactNodeInfo.Write(response.Nodes, AddressFamily.InterNetworkV6));
        }

        if (response.Token is { } token)
        {
            writer.WriteString("token"u8);
            writer.WriteString(token);
        }

        if (response.Values.Count > 0)
        {
            Span<byte> peer = stackalloc byte[CompactPeerInfo.IPv6Length];
            writer.WriteString("values"u8);
            writer.WriteListStart();
            foreach (var value in response.Values)
            {
                writer.WriteString(peer[..CompactPeerInfo.Write(value, peer)]);
            }

            writer.WriteEnd();
        }

        writer.WriteEnd();
    }

    private static bool HasFamily(IReadOnlyList<DhtContact> nodes, AddressFamily family)
    {
        foreach (var node in nodes)
        {
            if (node.EndPoint.AddressFamily == family)
            {
                return true;
            }
        }

        return false;
    }
}
