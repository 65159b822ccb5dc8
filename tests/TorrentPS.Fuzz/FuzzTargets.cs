using System.Buffers;
using System.Net;
using System.Text;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.LocalDiscovery;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Text;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Fuzz;

/// <summary>
/// One public parser under fuzzing: its seeds (valid inputs of each shape), the longest input made from them, and how
/// it is run. A run may throw only the engine's typed errors (<see cref="TorrentPSException"/>, whose messages the
/// runner checks); what a run returns is checked by the target itself, which throws <see cref="InvariantException"/>.
/// </summary>
internal sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, int MaxLength, Action<byte[]> Run)
{
    public override string ToString() => Name;
}

/// <summary>A parser returned something it must never return.</summary>
internal sealed class InvariantException(string message) : Exception(message);

/// <summary>Every fuzzed parser: bencode, torrents, magnet links, HTTP and UDP tracker answers, peer messages, BEP 10, ut_metadata, ut_pex, local discovery announces, resume data and KRPC (DHT) datagrams.</summary>
internal static class FuzzTargets
{
    private static readonly string Destination = Path.Combine(Path.GetTempPath(), "tps-fuzz-destination");

    /// <summary>The torrent the resume data seeds belong to (before <see cref="All"/>, which makes the seeds).</summary>
    private static readonly InfoHash ResumeHash = new(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("bencode", BencodeSeeds(), 4096, RunBencode),
        new("torrent", TorrentSeeds(), 16384, RunTorrent),
        new("magnet", MagnetSeeds(), 8192, RunMagnet),
        new("http-tracker", HttpTrackerSeeds(), 4096, RunHttpTracker),
        new("udp-tracker", UdpTrackerSeeds(), 2048, RunUdpTracker),
        new("peer-messages", PeerMessageSeeds(), 4096, RunPeerMessages),
        new("extension-handshake", ExtensionHandshakeSeeds(), 2048, RunExtensionHandshake),
        new("ut-metadata", UtMetadataSeeds(), 20_000, RunUtMetadata),
        new("ut-pex", UtPexSeeds(), 8192, RunUtPex),
        new("bt-search", BtSearchSeeds(), 4096, RunBtSearch),
        new("resume-data", ResumeDataSeeds(), 8192, RunResumeData),
        new("krpc", KrpcSeeds(), KrpcMessage.MaxDatagramLength + 64, RunKrpc),
    ];

    private static void RunBencode(byte[] input)
    {
        var value = BencodeDecoder.Decode(input);
        if (value is BencodeDictionary { HasDuplicateKeys: true } || HasDuplicates(value))
        {
            return;
        }

        // Whatever decodes encodes canonically and decodes back to an equal value.
        var again = BencodeDecoder.Decode(BencodeEncoder.Encode(value));
        Check(again.Equals(value), "decode(encode(x)) differs from x");
    }

    private static void RunTorrent(byte[] input)
    {
        var torrent = TorrentInfo.Parse(input);
        Check(torrent.PieceCount == 0 || torrent.GetPieceHash(torrent.PieceCount - 1).Length == 20, "a piece hash is not 20 bytes");
        CheckSafeSegment(torrent.Name);
        long offset = 0;
        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in torrent.Files)
        {
            Check(file.Offset == offset, $"file '{file.Path}' starts at {file.Offset}, not {offset}");
            offset += file.Length;
            foreach (var segment in file.PathSegments)
            {
                CheckSafeSegment(segment);
            }

            // Sanitised paths stay inside the destination, and no two files land on one path.
            var full = TorrentPathSanitizer.Combine(Destination, [torrent.Name, .. file.PathSegments]);
            Check(full.StartsWith(Destination + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"'{full}' is outside the destination");
            Check(file.IsPadding || paths.Add(file.Path), $"two files share the path '{file.Path}'");
        }

        Check(offset == torrent.Length, "the file lengths do not add up to the torrent's length");
    }

    private static void RunMagnet(byte[] input)
    {
        var magnet = MagnetLink.Parse(Encoding.UTF8.GetString(input));
        Check(magnet.Trackers.Distinct(StringComparer.Ordinal).Count() == magnet.Trackers.Count, "repeated trackers");
        Check(MagnetLink.Parse(magnet.ToString()).Equals(magnet), "the link does not read back as itself");
    }

    private static void RunHttpTracker(byte[] input)
    {
        const string url = "http://127.0.0.1:1/announce";
        try
        {
            var response = HttpTrackerResponseParser.ParseAnnounce(url, input);
            Check(response.Interval > TimeSpan.Zero, "a non-positive interval");
            Check(response.Peers.All(p => p.Port is > 0 and <= 65535 || p.Port == 0), "a peer port out of range");
        }
        catch (TrackerFailedException)
        {
        }

        HttpTrackerResponseParser.ParseScrape(url, input, new InfoHash(new byte[20]));
    }

    private static void RunUdpTracker(byte[] input)
    {
        // As the client reads a datagram: the header, then the action's own minimum length, then its reader.
        if (!UdpTrackerProtocol.TryReadHeader(input, out var action, out _))
        {
            return;
        }

        switch (action)
        {
            case UdpTrackerProtocol.ActionError:
                var message = UdpTrackerProtocol.ReadErrorMessage(input);
                new TrackerFailedException("udp://127.0.0.1:1", message).ToString();
                break;
            case var known when input.Length >= UdpTrackerProtocol.MinimumResponseLength(known):
                switch (known)
                {
                    case UdpTrackerProtocol.ActionConnect:
                        UdpTrackerProtocol.ReadConnectionId(input);
                        break;
                    case UdpTrackerProtocol.ActionAnnounce:
                        var response = UdpTrackerProtocol.ReadAnnounce(input, ipv6: (input.Length & 1) == 0);
                        Check(response.Seeders is null or >= 0 && response.Leechers is null or >= 0, "negative counts");
                        break;
                    case UdpTrackerProtocol.ActionScrape:
                        var scrape = UdpTrackerProtocol.ReadScrape(input);
                        Check(scrape.Seeders >= 0 && scrape.Leechers >= 0 && scrape.Downloaded >= 0, "negative scrape counts");
                        break;
                }

                break;
        }
    }

    private static void RunPeerMessages(byte[] input)
    {
        var limits = (input.Length % 3) switch
        {
            0 => PeerMessageLimits.Permissive,
            1 => PeerMessageLimits.Permissive with { PieceCount = 100 },
            _ => new PeerMessageLimits { PieceCount = 9 },
        };
        ReadOnlyMemory<byte> buffer = input;
        while (PeerMessageDecoder.TryDecode(buffer, limits, out var message, out var consumed))
        {
            Check(consumed > 0 && consumed <= buffer.Length, $"consumed {consumed} of {buffer.Length} bytes");
            Check(limits.PieceCount == 0 || message.Type is not (PeerMessageType.Have or PeerMessageType.Request) || message.Index < limits.PieceCount, "a piece index past the torrent");
            if (message.Type == PeerMessageType.Extended && message.ExtendedId == 0)
            {
                ExtensionHandshake.Decode(message.Payload);
            }

            buffer = buffer[consumed..];
        }
    }

    private static void RunExtensionHandshake(byte[] input)
    {
        var handshake = ExtensionHandshake.Decode(input);
        Check(handshake.ListenPort is null or (> 0 and <= 65535), "a listen port out of range");
        Check(handshake.Extensions.Values.All(id => id > 0), "an extension with id 0");
        _ = DisplayText.Escape(handshake.ClientVersion);
    }

    private static void RunUtMetadata(byte[] input)
    {
        long? expected = (input.Length % 4) switch { 0 => null, 1 => 16384, 2 => 40_000, _ => 1 };
        var message = UtMetadataMessage.Decode(input, expected);
        if (message.Type == UtMetadataMessageType.Data)
        {
            Check(message.Data.Length == UtMetadataMessage.GetPieceLength(message.Piece, message.TotalSize), "a data piece of the wrong length");
        }
    }

    private static void RunUtPex(byte[] input)
    {
        var message = UtPexMessage.Decode(input);
        Check(message.Added.Count <= UtPexMessage.MaxAdded && message.Dropped.Count <= UtPexMessage.MaxDropped, "more entries than the limits");
        Check(message.Added.All(p => p.EndPoint.Port is >= 0 and <= 65535 && !p.EndPoint.Address.IsIPv4MappedToIPv6), "an entry read badly");

        // What was read (less what cannot be sent: port 0) encodes and reads back as itself.
        var sendable = new UtPexMessage(message.Added.Where(p => p.EndPoint.Port != 0).ToArray(), message.Dropped.Where(e => e.Port != 0).ToArray());
        var again = UtPexMessage.Decode(sendable.ToArray());
        Check(again.Added.SequenceEqual(sendable.Added) && again.Dropped.SequenceEqual(sendable.Dropped), "decode(encode(x)) differs from x");
    }

    private static void RunBtSearch(byte[] input)
    {
        var message = BtSearchMessage.Parse(input);
        Check(message.Port is > 0 and <= 65535, "a port out of range");
        Check(message.InfoHashes.Count > 0 && message.InfoHashes.Distinct().Count() == message.InfoHashes.Count, "no torrents, or one twice");
        Check(DisplayText.IsSafe(message.Host) && (message.Cookie is null || DisplayText.IsSafe(message.Cookie)), "a header value that is not safe to show");

        // What was read writes out and reads back as itself, when it fits in one datagram of ours.
        if (BtSearchMessage.LengthOf(message.Host, message.Cookie, message.InfoHashes.Count) <= BtSearchMessage.MaxWrittenLength)
        {
            var again = BtSearchMessage.Parse(message.ToArray());
            Check(again.Host == message.Host && again.Port == message.Port && again.Cookie == message.Cookie && again.InfoHashes.SequenceEqual(message.InfoHashes), "parse(write(x)) differs from x");
        }
    }

    private static void RunResumeData(byte[] input)
    {
        // Bad content is never an exception here: null and a reason, which is logged (a warning in PowerShell).
        var data = ResumeData.Parse(input, ResumeHash, out var problem);
        if (data is null)
        {
            Check(problem is not null, "no resume data and no reason");
            Check(DisplayText.IsSafe(problem!, DisplayText.MaxMessageLength), $"a reason that is not safe to show: {DisplayText.Escape(problem, 200)}");
            return;
        }

        Check(data.InfoHash == ResumeHash, "resume data for another torrent");
        Check(data.VerifiedPieces.Length == data.PieceCount, "a bitfield of the wrong length");
        Check(ResumeData.Parse(data.ToBytes(), ResumeHash, out _) is not null, "resume data that does not read back");
    }

    private static byte[][] UtPexSeeds() =>
    [
        new UtPexMessage([new PexPeer(IPEndPoint.Parse("127.0.0.1:6881"), PexPeerFlags.Seed | PexPeerFlags.Reachable), new PexPeer(IPEndPoint.Parse("[::1]:51413"), PexPeerFlags.SupportsUtp)], [IPEndPoint.Parse("127.0.0.2:1"), IPEndPoint.Parse("[fe80::1]:2")]).ToArray(),
        B("d5:added12:\u007f\0\0\u0001\u001a\u00e1\u007f\0\0\u0002\u001a\u00e27:added.f2:\u0002\u00006:added60:8:added6.f0:7:dropped6:\u007f\0\0\u0003\0\u00508:dropped60:e"),
        B("d5:added6:\u007f\0\0\u0001\0\u00017:unknownli1ee1:zd1:ai1eee"),
        B("de"),
    ];

    private static byte[][] BtSearchSeeds() =>
    [
        new BtSearchMessage("239.192.152.143:6771", 6881, [new InfoHash(new byte[20]), new InfoHash(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray())], "0123456789abcdef").ToArray(),
        B("BT-SEARCH * HTTP/1.1\nhost: [ff15::efc0:988f]:6771\nPORT:51413\nX-Extra: whatever it is\ninfohash: CF1A5502794BBBD5AFF203CDC18519D15416FA04\n\n"),
        B("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 1\r\nInfohash: cf1a5502794bbbd5aff203cdc18519d15416fa04\r\n"),
    ];

    private static void RunKrpc(byte[] input)
    {
        KrpcMessage message;
        try
        {
            message = KrpcMessage.Decode(input);
        }
        catch (KrpcException ex)
        {
            // Only a query whose transaction id was read is answered, with 203 or 204.
            Check(!ex.IsQuery || ex.TransactionId is { Length: > 0 and <= KrpcMessage.MaxTransactionIdLength }, "an answerable error without a transaction id");
            Check(ex.ErrorCode is KrpcErrorCode.Protocol or KrpcErrorCode.MethodUnknown, $"error code {ex.ErrorCode}");
            throw;
        }

        Check(message.TransactionId.Length is > 0 and <= KrpcMessage.MaxTransactionIdLength, "a transaction id out of bounds");
        switch (message)
        {
            case KrpcQuery query:
                Check(query.Method != KrpcMethod.FindNode || query.Target is not null, "find_node without a target");
                Check(query.Method is not (KrpcMethod.GetPeers or KrpcMethod.AnnouncePeer) || query.InfoHash is not null, "no info hash");
                Check(query.Method != KrpcMethod.AnnouncePeer || (query.Token is { Length: > 0 } && (query.ImpliedPort || query.Port is > 0 and <= 65535)), "an announce without a token or a port");
                break;
            case KrpcResponse response:
                Check(response.Nodes.All(n => n.EndPoint.Port is > 0 and <= 65535), "a node with port 0");
                Check(response.Values.All(p => p.Port is > 0 and <= 65535), "a peer with port 0");
                break;
            case KrpcError error:
                Check(error.Message.Length <= KrpcError.MaxMessageLength, "an error message over its bound");
                break;
        }

        // What decodes re-encodes to bytes that decode to the same message (the encoding is a fixed point).
        var encoded = message.Encode();
        Check(KrpcMessage.Decode(encoded).Encode().AsSpan().SequenceEqual(encoded), "decode(encode(m)) encodes differently");
    }

    private static byte[][] KrpcSeeds()
    {
        var id = new NodeId(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray());
        var hash = new InfoHash(Enumerable.Range(100, 20).Select(i => (byte)i).ToArray());
        return
        [
            B("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"),
            B("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"),
            B("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"),
            B("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"),
            B("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe"),
            B("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re"),
            B("d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe"),
            new KrpcResponse([1, 2], id)
            {
                Nodes = [new DhtContact(id, IPEndPoint.Parse("127.0.0.2:6881")), new DhtContact(id, IPEndPoint.Parse("[::1]:6881"))],
                Values = [IPEndPoint.Parse("127.0.0.3:1"), IPEndPoint.Parse("[::1]:2")],
                Token = [9, 9, 9, 9],
                RequesterEndPoint = IPEndPoint.Parse("127.0.0.4:3"),
                Version = "TP\0\u0001"u8.ToArray(),
            }.Encode(),
            (KrpcQuery.GetPeers([7], id, hash) with { Want = KrpcWant.IPv4 | KrpcWant.IPv6, ReadOnly = true }).Encode(),
            B("d1:eli203e8:bad \u001b[2Je1:t1:x1:v4:LT\u0001\u00021:y1:ee"),
        ];
    }

    private static byte[][] ResumeDataSeeds()
    {
        var some = new Bitfield(13);
        some[0] = true;
        some[12] = true;
        var all = new Bitfield(3);
        all.SetAll();
        return
        [
            new ResumeData(ResumeHash, some, [new FileStamp(10, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)), FileStamp.Missing]).ToBytes(),
            new ResumeData(ResumeHash, all, [new FileStamp(1, DateTime.UnixEpoch)], B("d6:lengthi1e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaae"), [["http://127.0.0.1:1/announce", "udp://127.0.0.1:2"]]).ToBytes(),
        ];
    }

    private static void CheckSafeSegment(string segment)
    {
        Check(segment.Length > 0 && segment is not ("." or ".."), $"the segment '{DisplayText.Escape(segment)}' is empty or a dot");
        Check(DisplayText.IsSafe(segment), $"the segment '{DisplayText.Escape(segment)}' holds characters a terminal acts on");
        Check(segment.IndexOfAny(['/', '\\', ':', '\0']) < 0, $"the segment '{DisplayText.Escape(segment)}' holds a separator");
        Check(Encoding.UTF8.GetByteCount(segment) <= TorrentPathSanitizer.MaxSegmentBytes, "a segment over the length limit");
    }

    private static bool HasDuplicates(BencodeValue value) => value switch
    {
        BencodeDictionary dict => dict.HasDuplicateKeys || dict.Any(e => HasDuplicates(e.Value)),
        BencodeList list => list.Any(HasDuplicates),
        _ => false,
    };

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvariantException(what);
        }
    }

    private static byte[] B(string latin1) => Encoding.Latin1.GetBytes(latin1);

    private static byte[][] BencodeSeeds() =>
    [
        B("i42e"), B("i-7e"), B("0:"), B("4:spam"), B("le"), B("de"), B("l4:spami42ee"), B("d3:bar4:spam3:fooi42ee"),
        B("d1:ad1:bl1:ci1eeee"), B("lllleeee"), Encoding.UTF8.GetBytes("d4:name6:\u00e9t\u00e9\u00e9e"),
    ];

    private static byte[][] TorrentSeeds()
    {
        var hash20 = new string('h', 20);
        return
        [
            B($"d8:announce27:http://127.0.0.1:1/announce4:infod6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:{hash20}ee"),
            B($"d13:announce-listll27:http://127.0.0.1:1/announce20:udp://127.0.0.1:2/aee4:infod5:filesld6:lengthi3e4:pathl3:dir5:a.txteed4:attr1:p6:lengthi1e4:pathl4:.pad1:1eed6:lengthi2e4:pathl3:DIR5:A.TXTeee4:name1:t12:piece lengthi16384e6:pieces20:{hash20}e8:url-listl16:http://127.0.0.1ee"),
            B($"d4:infod5:filesld6:lengthi0e4:pathl1:a1:beed6:lengthi0e4:pathl1:aeed6:lengthi0e10:path.utf-8l3:con2:..eee4:name3:x/y12:piece lengthi1e6:pieces0:ee"),
            B($"d7:comment3:hi!10:created by2:me13:creation datei1700000000e4:infod6:lengthi16385e4:name1:n12:piece lengthi16384e6:pieces40:{hash20}{hash20}7:privatei1eee"),
        ];
    }

    private static byte[][] MagnetSeeds() =>
    [
        B("magnet:?xt=urn:btih:cf1a5502794bbbd5aff203cdc18519d15416fa04&dn=hello.txt&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce"),
        B("magnet:?xt=urn:btih:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ&tr=udp://127.0.0.1:1&tr.1=udp://127.0.0.1:2&x.pe=127.0.0.1:6881&ws=http://127.0.0.1/&xl=123"),
        B("magnet:?xt=urn:btmh:1220abcdef&dn=v2+only"),
    ];

    private static byte[][] HttpTrackerSeeds()
    {
        var compact = Encoding.Latin1.GetString(CompactPeers.Write([IPEndPoint.Parse("127.0.0.1:6881"), IPEndPoint.Parse("127.0.0.2:1")], 6));
        var compact6 = Encoding.Latin1.GetString(CompactPeers.Write([IPEndPoint.Parse("[::1]:6881")], 18));
        return
        [
            B($"d8:completei3e10:incompletei1e8:intervali1800e12:min intervali60e5:peers{compact.Length}:{compact}6:peers6{compact6.Length}:{compact6}e"),
            B("d8:intervali900e5:peersld2:ip9:127.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881eed2:ip4:host4:porti1eeee"),
            B("d14:failure reason9:go away\n\u001be"),
            B("d15:warning message4:hey!10:tracker id3:abc8:intervali1e5:peers0:e"),
            B($"d5:filesd20:{Encoding.Latin1.GetString(new byte[20])}d8:completei1e10:downloadedi2e10:incompletei3eeee"),
        ];
    }

    private static byte[][] UdpTrackerSeeds()
    {
        var connect = new byte[16];
        var announce = new byte[20 + 12];
        announce[3] = 1;
        announce[11] = 60;
        announce.AsSpan(20).Fill(7);
        var scrape = new byte[20];
        scrape[3] = 2;
        byte[] error = [0, 0, 0, 3, 0, 0, 0, 9, .. "bad\n\u001b[2J"u8.ToArray()];
        return [connect, announce, scrape, error];
    }

    private static byte[][] PeerMessageSeeds() =>
    [
        [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 5, 4, 0, 0, 0, 3],
        [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, 0],
        [0, 0, 0, 3, 1 << 4 | 4, 0, 0],
        [0, 0, 0, 3, 5, 0xff, 0x80],
        [0, 0, 0, 11, 7, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2],
        [0, 0, 0, 3, 9, 0x1a, 0xe1],
        [0, 0, 0, 14, 20, 0, .. "d1:md1:ai1eee"u8.ToArray()],
        [0, 0, 0, 1, 14, 0, 0, 0, 1, 15, 0, 0, 0, 5, 17, 0, 0, 0, 2],
    ];

    private static byte[][] ExtensionHandshakeSeeds() =>
    [
        new ExtensionHandshake(new Dictionary<string, byte> { ["ut_metadata"] = 2, ["ut_pex"] = 1 }, "x/1.0\u001b[2J", 6881, 250, IPAddress.Loopback, 1234, uploadOnly: true).ToArray(),
        B("d1:md11:ut_metadatai3ee13:metadata_sizei99999e1:v4:\u00ff\u00fe\u00fd\u00fce"),
    ];

    private static byte[][] UtMetadataSeeds()
    {
        var metadata = new byte[40_000];
        var seeds = new List<byte[]>();
        foreach (var write in new Action<IBufferWriter<byte>>[]
        {
            w => UtMetadataMessage.WriteRequest(w, 0),
            w => UtMetadataMessage.WriteReject(w, 1),
            w => UtMetadataMessage.WriteData(w, 2, metadata),
            w => UtMetadataMessage.WriteData(w, 0, new byte[100]),
        })
        {
            var buffer = new ArrayBufferWriter<byte>();
            write(buffer);
            seeds.Add(buffer.WrittenSpan.ToArray());
        }

        return [.. seeds];
    }
}
