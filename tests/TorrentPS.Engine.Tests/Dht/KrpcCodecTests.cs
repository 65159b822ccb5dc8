using System.Net;
using System.Text;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Tests.Dht;

public sealed class KrpcCodecTests
{
    private static readonly NodeId Abcdefghij = new("abcdefghij0123456789"u8);
    private static readonly NodeId Mnopqrstuv = new("mnopqrstuvwxyz123456"u8);

    /// <summary>BEP 5's examples, byte for byte, except where the BEP writes a placeholder for <c>nodes</c> (see below).</summary>
    public static TheoryData<string> Bep5Examples => new()
    {
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
        "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
        "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
        "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe",
        "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
        "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
    };

    [Theory]
    [MemberData(nameof(Bep5Examples))]
    public void The_BEP_5_examples_decode_and_encode_back_to_the_same_bytes(string example)
    {
        var bytes = Encoding.Latin1.GetBytes(example);

        var message = KrpcMessage.Decode(bytes);

        Assert.Equal(example, Encoding.Latin1.GetString(message.Encode()));
        Assert.Equal("aa"u8.ToArray(), message.TransactionId);
    }

    [Fact]
    public void The_BEP_5_examples_decode_to_what_they_say()
    {
        var ping = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.Ping, ping.Method);
        Assert.Equal(Abcdefghij, ping.SenderId);

        var error = Assert.IsType<KrpcError>(Decode("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"));
        Assert.Equal(KrpcErrorCode.Generic, error.Code);
        Assert.Equal("A Generic Error Ocurred", error.Message);

        var findNode = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"));
        Assert.Equal(Mnopqrstuv, findNode.Target);

        var peers = Assert.IsType<KrpcResponse>(Decode("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re"));
        Assert.Equal("aoeusnth"u8.ToArray(), peers.Token);
        // "axje.u": 'a' 'x' 'j' 'e' = 97.120.106.101, ".u" = 0x2e75 = 11893.
        Assert.Equal([IPEndPoint.Parse("97.120.106.101:11893"), IPEndPoint.Parse("105.100.104.116:28269")], peers.Values);

        var announce = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.AnnouncePeer, announce.Method);
        Assert.True(announce.ImpliedPort);
        Assert.Equal(6881, announce.Port);
        Assert.Equal(new InfoHash("mnopqrstuvwxyz123456"u8), announce.InfoHash);
        Assert.Equal("aoeusnth"u8.ToArray(), announce.Token);
    }

    [Theory]
    [InlineData("d1:rd2:id20:0123456789abcdefghij5:nodes{0}e1:t2:aa1:y1:re")]
    [InlineData("d1:rd2:id20:abcdefghij01234567895:nodes{0}5:token8:aoeusnthe1:t2:aa1:y1:re")]
    public void The_BEP_5_node_answers_round_trip_with_a_real_node_where_the_BEP_writes_a_placeholder(string template)
    {
        // BEP 5 writes "def456..." (9 bytes) for the nodes string; a real one is whole 26-byte entries.
        var node = new DhtContact(Mnopqrstuv, IPEndPoint.Parse("127.0.0.2:6881"));
        var compact = Encoding.Latin1.GetString(CompactNodeInfo.Write([node], System.Net.Sockets.AddressFamily.InterNetwork));
        var example = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, $"26:{compact}");

        var response = Assert.IsType<KrpcResponse>(Decode(example));

        Assert.Equal([node], response.Nodes);
        Assert.Equal(example, Encoding.Latin1.GetString(response.Encode()));
    }

    [Fact]
    public void The_BEP_5_placeholder_nodes_string_is_refused_as_not_whole_entries()
    {
        var error = Assert.Throws<KrpcException>(() => Decode("d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re"));

        Assert.Contains("26-byte", error.Message);
        Assert.False(error.IsQuery);
    }

    [Fact]
    public void IPv6_nodes_and_peers_round_trip_in_nodes6_and_18_byte_values()
    {
        var response = new KrpcResponse("xy"u8.ToArray(), Abcdefghij)
        {
            Nodes = [new DhtContact(Mnopqrstuv, IPEndPoint.Parse("127.0.0.3:1")), new DhtContact(Abcdefghij, IPEndPoint.Parse("[::1]:6881"))],
            Values = [IPEndPoint.Parse("127.0.0.4:2"), IPEndPoint.Parse("[::1]:3")],
            Token = [1, 2, 3, 4],
            RequesterEndPoint = IPEndPoint.Parse("127.0.0.5:4"),
            Version = "TP\0\u0001"u8.ToArray(),
        };

        var bytes = response.Encode();
        var decoded = Assert.IsType<KrpcResponse>(KrpcMessage.Decode(bytes));

        Assert.Contains("6:nodes638:"u8.ToArray(), Chunks(bytes, 11));
        Assert.Equal(response.Nodes, decoded.Nodes);
        Assert.Equal(response.Values, decoded.Values);
        Assert.Equal(response.RequesterEndPoint, decoded.RequesterEndPoint);
        Assert.Equal(response.Version, decoded.Version);
        Assert.Equal(bytes, decoded.Encode());
    }

    [Fact]
    public void Want_and_read_only_arguments_round_trip()
    {
        var query = KrpcQuery.FindNode("t1"u8.ToArray(), Abcdefghij, Mnopqrstuv) with { Want = KrpcWant.IPv4 | KrpcWant.IPv6, ReadOnly = true };

        var decoded = Assert.IsType<KrpcQuery>(KrpcMessage.Decode(query.Encode()));

        Assert.Equal(KrpcWant.IPv4 | KrpcWant.IPv6, decoded.Want);
        Assert.True(decoded.ReadOnly);
        Assert.Equal(query.Encode(), decoded.Encode());
    }

    public static TheoryData<string, int, string> MalformedQueries => new()
    {
        { "d1:ad2:id20:abcdefghij0123456789e1:q4:pong1:t2:aa1:y1:qe", KrpcErrorCode.MethodUnknown, "unknown method" },
        { "d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'id'" },
        { "d1:q4:ping1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'a'" },
        { "d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'q'" },
        { "d1:ad2:id20:abcdefghij0123456789e1:q9:find_node1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'target'" },
        { "d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'info_hash'" },
        { "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881ee1:q13:announce_peer1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'token'" },
        { "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti0e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'port'" },
        { "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti70000e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'port'" },
        { "d1:ad2:id20:abcdefghij012345678912:implied_port1:x9:info_hash20:mnopqrstuvwxyz1234564:porti1e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe", KrpcErrorCode.Protocol, "'implied_port'" },
    };

    [Theory]
    [MemberData(nameof(MalformedQueries))]
    public void A_malformed_query_with_a_transaction_id_is_answerable_with_its_error_code(string datagram, int code, string reason)
    {
        var error = Assert.Throws<KrpcException>(() => Decode(datagram));

        Assert.True(error.IsQuery);
        Assert.Equal("aa"u8.ToArray(), error.TransactionId);
        Assert.Equal(code, error.ErrorCode);
        Assert.Contains(reason, error.Reason);
        Assert.Equal("InvalidKrpcMessage", error.ErrorId);
    }

    public static TheoryData<string> Unanswerable => new()
    {
        "not bencode",
        "i42e",
        "le",
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe",
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t0:1:y1:qe",
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:ti5e1:y1:qe",
        $"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t33:{new string('t', 33)}1:y1:qe",
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qetrailing",
    };

    [Theory]
    [MemberData(nameof(Unanswerable))]
    public void A_datagram_without_a_readable_transaction_id_is_dropped_unanswered(string datagram)
    {
        var error = Assert.Throws<KrpcException>(() => Decode(datagram));

        Assert.Null(error.TransactionId);
        Assert.False(error.IsQuery);
    }

    public static TheoryData<string, string> MalformedAnswers => new()
    {
        { "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:xe", "'y'" },
        { "d1:t2:aa1:y1:re", "'r'" },
        { "d1:rd2:id2:xxe1:t2:aa1:y1:re", "'id'" },
        { "d1:rd2:id20:abcdefghij01234567896:valuesl5:abcdeee1:t2:aa1:y1:re", "6 or 18 bytes" },
        { "d1:rd2:id20:abcdefghij01234567896:values3:abce1:t2:aa1:y1:re", "'values'" },
        { "d1:rd2:id20:abcdefghij01234567896:nodes620:abcdefghij0123456789e1:t2:aa1:y1:re", "38-byte" },
        { "d1:rd2:id20:abcdefghij01234567895:tokeni5ee1:t2:aa1:y1:re", "'token'" },
        { "d1:eli201ee1:t2:aa1:y1:ee", "'e'" },
        { "d1:el4:oopsi201ee1:t2:aa1:y1:ee", "'e'" },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public void A_malformed_answer_is_refused_and_not_answered(string datagram, string reason)
    {
        var error = Assert.Throws<KrpcException>(() => Decode(datagram));

        Assert.False(error.IsQuery);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void A_datagram_longer_than_the_bound_is_refused_unread()
    {
        var padding = new string('x', KrpcMessage.MaxDatagramLength);
        var error = Assert.Throws<KrpcException>(() => Decode($"d1:ad2:id20:abcdefghij0123456789e1:pad{padding.Length}:{padding}1:q4:ping1:t2:aa1:y1:qe"));

        Assert.Null(error.TransactionId);
    }

    [Fact]
    public void Deep_nesting_in_an_unknown_key_is_refused_before_it_costs_anything()
    {
        var deep = new string('l', 50) + new string('e', 50);

        Assert.Throws<KrpcException>(() => Decode($"d1:ad2:id20:abcdefghij0123456789e1:x{deep}1:q4:ping1:t2:aa1:y1:qe"));
    }

    [Fact]
    public void Unknown_keys_and_extension_fields_of_the_wrong_shape_are_ignored()
    {
        var query = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij01234567894:wanti3e5:extrali1eee1:q4:ping1:t2:aa1:v999:" + new string('v', 999) + "1:y1:q5:zzzzzi0ee"));

        Assert.Equal(KrpcWant.None, query.Want);
        Assert.Null(query.Version);
    }

    [Fact]
    public void An_unknown_method_name_with_control_characters_gives_a_safe_message()
    {
        var error = Assert.Throws<KrpcException>(() => Decode("d1:ad2:id20:abcdefghij0123456789e1:q7:\u001b[2Jbad1:t2:aa1:y1:qe"));

        Assert.True(DisplayText.IsSafe(error.Message), error.Message);
        Assert.Equal(KrpcErrorCode.MethodUnknown, error.ErrorCode);
    }

    private static KrpcMessage Decode(string latin1) => KrpcMessage.Decode(Encoding.Latin1.GetBytes(latin1));

    private static IEnumerable<byte[]> Chunks(byte[] bytes, int length)
    {
        for (var i = 0; i + length <= bytes.Length; i++)
        {
            yield return bytes[i..(i + length)];
        }
    }
}
