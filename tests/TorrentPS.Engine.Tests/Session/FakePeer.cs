using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>How a <see cref="FakePeer"/> behaves: an honest seeder by default; each property makes it misbehave one way.</summary>
internal sealed record FakePeerBehavior
{
    /// <summary>The pieces it has (a bitfield is sent); null for all of them.</summary>
    public Func<int, bool>? Has { get; init; }

    /// <summary>False: it never unchokes anyone.</summary>
    public bool Unchokes { get; init; } = true;

    /// <summary>Every block it sends has its bytes flipped.</summary>
    public bool CorruptsBlocks { get; init; }

    /// <summary>After this many whole blocks it sends half of the next one and then nothing more (the connection stays open).</summary>
    public int? StallsAfterBlocks { get; init; }

    /// <summary>After this many whole blocks it sends half of the next one and hangs up.</summary>
    public int? DisconnectsAfterBlocks { get; init; }

    /// <summary>
    /// At this request (counted from 1) it sends choke and unchoke, waits a moment (the client may react), then goes on
    /// serving every request it was sent: with BEP 6 a choke does not drop requests, so none needs asking again.
    /// </summary>
    public int? ChokesBrieflyAtRequest { get; init; }

    /// <summary>Offers the metadata over ut_metadata (needs the info dictionary).</summary>
    public bool OffersMetadata { get; init; } = true;

    /// <summary>The metadata it serves instead of the real info dictionary (a liar's).</summary>
    public byte[]? ServedMetadata { get; init; }

    /// <summary>The <c>metadata_size</c> it announces instead of the served metadata's size.</summary>
    public long? AnnouncedMetadataSize { get; init; }

    /// <summary>Answers every metadata request with a reject.</summary>
    public bool RejectsMetadata { get; init; }

    /// <summary>Answers the first metadata request with every piece, last first, each twice.</summary>
    public bool SendsMetadataBackwardsTwice { get; init; }

    /// <summary>Waits this long before answering each metadata request (so a faster peer answers its share first).</summary>
    public TimeSpan? MetadataDelay { get; init; }

    /// <summary>Speaks BEP 6 (have all, reject request).</summary>
    public bool FastExtension { get; init; }

    /// <summary>The peer id it answers with (a copy of another peer's, say); a fresh one when null.</summary>
    public byte[]? PeerId { get; init; }

    /// <summary>Answers the handshake and then says nothing at all (and ignores what it is told).</summary>
    public bool SaysNothing { get; init; }

    /// <summary>
    /// After its bitfield and an unchoke, sends blocks nobody asked for without end: 16 KiB of the content 8 KiB into each
    /// piece in turn, where no request ever points (pieces must be 24 KiB or more).
    /// </summary>
    public bool SendsUnrequestedBlocks { get; init; }

    /// <summary>After the client's extension handshake, sends ut_metadata data messages nobody asked for without end.</summary>
    public bool FloodsMetadata { get; init; }
}

/// <summary>
/// A fake BitTorrent peer on its own loopback address, speaking the wire protocol over a raw socket (its own encoding,
/// not the engine's), so tests can make it misbehave where real clients cannot: it serves a torrent's content and
/// metadata the way <see cref="FakePeerBehavior"/> says, to every connection it accepts, and counts what it was asked.
/// </summary>
internal sealed class FakePeer : IAsyncDisposable
{
    private const int BlockSize = 16 * 1024;
    private const byte OurUtMetadataId = 3;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly List<TcpClient> _clients = [];
    private readonly TorrentInfo _torrent;
    private readonly byte[] _content;
    private readonly FakePeerBehavior _behavior;
    private readonly byte[] _peerId;
    private readonly Task _accepting;
    private int _accepted;
    private int _requests;
    private int _blocksSent;
    private int _metadataRequests;
    private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _reserved = new();
    private int _metadataSent;

    public FakePeer(TorrentInfo torrent, byte[] content, FakePeerBehavior? behavior = null, IPAddress? address = null)
    {
        _torrent = torrent;
        _content = content;
        _behavior = behavior ?? new FakePeerBehavior();
        _peerId = _behavior.PeerId ?? Encoding.ASCII.GetBytes($"-FK0001-{Guid.NewGuid():N}"[..20]);
        _listener = new TcpListener(address ?? TestAddresses.Next(), 0);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The peer id it answers with.</summary>
    public byte[] PeerId => _peerId;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _accepted);

    /// <summary>Block requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Blocks (whole or partial) sent so far.</summary>
    public int BlocksSent => Volatile.Read(ref _blocksSent);

    /// <summary>ut_metadata data messages sent unasked so far (<see cref="FakePeerBehavior.FloodsMetadata"/>).</summary>
    public int MetadataFlood => Volatile.Read(ref _metadataSent);

    /// <summary>ut_metadata requests received so far.</summary>
    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    /// <summary>The 8 reserved bytes of every handshake received, in the order they came.</summary>
    public IReadOnlyList<byte[]> ReservedBytesReceived => _reserved.ToArray();

    /// <summary>
    /// A copy of <paramref name="metadata"/> with one byte of its piece hashes changed in every 16 KiB ut_metadata piece
    /// the hashes reach: same size, wrong SHA-1, whichever of its pieces end up in the assembled copy.
    /// </summary>
    public static byte[] Falsified(ReadOnlyMemory<byte> metadata)
    {
        var copy = metadata.ToArray();
        var key = copy.AsSpan().LastIndexOf("6:pieces"u8) + 8;
        var colon = copy.AsSpan(key).IndexOf((byte)':');
        var length = int.Parse(Encoding.ASCII.GetString(copy, key, colon), System.Globalization.CultureInfo.InvariantCulture);
        var start = key + colon + 1;
        for (var piece = 0; piece * BlockSize < copy.Length; piece++)
        {
            var at = Math.Max(start, piece * BlockSize);
            if (at < Math.Min(start + length, (piece + 1) * BlockSize))
            {
                copy[at] ^= 0xFF;
            }
        }

        return copy;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        Task[] running;
        lock (_connections)
        {
            running = [_accepting, .. _connections];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            lock (_clients)
            {
                _clients.Add(client);
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var owned = client;
        try
        {
            await new Conversation(this, client.GetStream(), _stop.Token).RunAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // The client hung up, or the test ended.
        }
    }

    /// <summary>One connection: the handshake, then answering messages until either side ends it.</summary>
    private sealed class Conversation(FakePeer peer, NetworkStream stream, CancellationToken ct)
    {
        private readonly FakePeerBehavior _behavior = peer._behavior;
        private readonly byte[] _metadata = peer._behavior.ServedMetadata ?? peer._torrent.GetRawInfo().ToArray();
        private int? _theirUtMetadataId;
        private bool _sentMetadataBackwards;

        public async Task RunAsync()
        {
            var handshake = new byte[68];
            await stream.ReadExactlyAsync(handshake, ct);
            peer._reserved.Enqueue(handshake[20..28]);
            if (!handshake.AsSpan(28, 20).SequenceEqual(peer._torrent.Hash.AsSpan()))
            {
                return;
            }

            var reply = new byte[68];
            reply[0] = 19;
            "BitTorrent protocol"u8.CopyTo(reply.AsSpan(1));
            reply[25] = 0x10; // BEP 10
            reply[27] = _behavior.FastExtension ? (byte)0x04 : (byte)0;
            peer._torrent.Hash.AsSpan().CopyTo(reply.AsSpan(28));
            peer._peerId.CopyTo(reply.AsSpan(48));
            await stream.WriteAsync(reply, ct);
            if (_behavior.SaysNothing)
            {
                await DiscardAsync();
                return;
            }

            if (_behavior.SendsUnrequestedBlocks)
            {
                await SendHaveAsync();
                await SendAsync(1, []);
                var draining = DiscardAsync();
                await SendJunkBlocksAsync();
                await draining;
                return;
            }

            if (_behavior.FloodsMetadata)
            {
                await FloodMetadataAsync();
                return;
            }

            await SendExtensionHandshakeAsync();
            await SendHaveAsync();
            while (true)
            {
                var length = await ReadInt32Async();
                if (length == 0)
                {
                    continue;
                }

                var frame = new byte[length];
                await stream.ReadExactlyAsync(frame, ct);
                if (!await HandleAsync(frame))
                {
                    return;
                }
            }
        }

        /// <summary>Handles one message; false when the script ends the conversation.</summary>
        private async Task<bool> HandleAsync(byte[] frame)
        {
            switch (frame[0])
            {
                case 2 when _behavior.Unchokes: // interested
                    await SendAsync(1, []);
                    return true;
                case 6: // request
                    if (Interlocked.Increment(ref peer._requests) == _behavior.ChokesBrieflyAtRequest)
                    {
                        await SendAsync(0, []);
                        await SendAsync(1, []);
                        await Task.Delay(300, ct);
                    }

                    return await ServeBlockAsync(
                        BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1)),
                        BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(5)),
                        BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(9)));
                case 20 when frame[1] == 0:
                    var handshake = BencodeDecoder.DecodeDictionary(frame.AsMemory(2));
                    _theirUtMetadataId = (int?)handshake.Get<BencodeDictionary>("m")?.Get<BencodeInteger>("ut_metadata")?.Value;
                    return true;
                case 20 when frame[1] == OurUtMetadataId:
                    await AnswerMetadataAsync(BencodeDecoder.DecodePrefix(frame.AsMemory(2), out _) as BencodeDictionary);
                    return true;
                default:
                    return true;
            }
        }

        private async Task<bool> ServeBlockAsync(int index, int begin, int length)
        {
            var offset = (index * peer._torrent.PieceLength) + begin;
            var block = peer._content.AsSpan((int)offset, length).ToArray();
            if (_behavior.CorruptsBlocks)
            {
                for (var i = 0; i < block.Length; i++)
                {
                    block[i] ^= 0x5A;
                }
            }

            var sent = Interlocked.Increment(ref peer._blocksSent) - 1;
            var cutAfter = _behavior.StallsAfterBlocks ?? _behavior.DisconnectsAfterBlocks;
            if (cutAfter is { } limit && sent >= limit)
            {
                // The header promises the whole block; only half of it follows.
                var header = new byte[13];
                BinaryPrimitives.WriteInt32BigEndian(header, 9 + length);
                header[4] = 7;
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), index);
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(9), begin);
                await stream.WriteAsync(header, ct);
                await stream.WriteAsync(block.AsMemory(0, length / 2), ct);
                await stream.FlushAsync(ct);
                if (_behavior.StallsAfterBlocks is not null)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return false;
            }

            var payload = new byte[8 + length];
            BinaryPrimitives.WriteInt32BigEndian(payload, index);
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), begin);
            block.CopyTo(payload.AsSpan(8));
            await SendAsync(7, payload);
            return true;
        }

        private async Task AnswerMetadataAsync(BencodeDictionary? request)
        {
            if (request?.Get<BencodeInteger>("msg_type")?.Value != 0 || _theirUtMetadataId is not { } id)
            {
                return;
            }

            Interlocked.Increment(ref peer._metadataRequests);
            var piece = (int)request.Get<BencodeInteger>("piece")!.Value;
            if (_behavior.RejectsMetadata || !_behavior.OffersMetadata)
            {
                await SendExtendedAsync(id, Encoding.ASCII.GetBytes($"d8:msg_typei2e5:piecei{piece}ee"), ReadOnlyMemory<byte>.Empty);
                return;
            }

            if (_behavior.SendsMetadataBackwardsTwice)
            {
                if (_sentMetadataBackwards)
                {
                    return;
                }

                _sentMetadataBackwards = true;
                for (var p = MetadataPieceCount - 1; p >= 0; p--)
                {
                    await SendMetadataPieceAsync(id, p);
                    await SendMetadataPieceAsync(id, p);
                }

                return;
            }

            if (_behavior.MetadataDelay is { } delay)
            {
                await Task.Delay(delay);
            }

            await SendMetadataPieceAsync(id, piece);
        }

        private int MetadataPieceCount => (_metadata.Length + BlockSize - 1) / BlockSize;

        /// <summary>Reads and drops whatever comes until the client hangs up.</summary>
        private async Task DiscardAsync()
        {
            var buffer = new byte[16 * 1024];
            while (await stream.ReadAsync(buffer, ct) > 0)
            {
            }
        }

        /// <summary>Blocks of the content at offsets no request names, each sent unasked, until the connection ends.</summary>
        private async Task SendJunkBlocksAsync()
        {
            const int begin = BlockSize / 2;
            var pieces = peer._torrent.PieceCount - 1;
            for (var n = 0; ; n++)
            {
                var index = n % pieces;
                var payload = new byte[8 + BlockSize];
                BinaryPrimitives.WriteInt32BigEndian(payload, index);
                BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), begin);
                peer._content.AsSpan((int)((index * peer._torrent.PieceLength) + begin), BlockSize).CopyTo(payload.AsSpan(8));
                Interlocked.Increment(ref peer._blocksSent);
                await SendAsync(7, payload);
            }
        }

        /// <summary>Waits for the client's extension handshake, then sends ut_metadata data (of the right size, wrong bytes) without end.</summary>
        private async Task FloodMetadataAsync()
        {
            await SendExtensionHandshakeAsync();
            while (_theirUtMetadataId is null)
            {
                var length = await ReadInt32Async();
                var frame = new byte[length];
                await stream.ReadExactlyAsync(frame, ct);
                if (length > 1 && frame[0] == 20 && frame[1] == 0)
                {
                    await HandleAsync(frame);
                }
            }

            var draining = DiscardAsync();
            var junk = new byte[Math.Min(BlockSize, _metadata.Length)];
            var header = Encoding.ASCII.GetBytes($"d8:msg_typei1e5:piecei0e10:total_sizei{_metadata.Length}ee");
            while (true)
            {
                await SendExtendedAsync(_theirUtMetadataId.Value, header, junk);
                Interlocked.Increment(ref peer._metadataSent);
            }
        }

        private Task SendMetadataPieceAsync(int id, int piece)
        {
            var start = piece * BlockSize;
            var data = _metadata.AsMemory(start, Math.Min(BlockSize, _metadata.Length - start));
            var header = Encoding.ASCII.GetBytes($"d8:msg_typei1e5:piecei{piece}e10:total_sizei{_metadata.Length}ee");
            return SendExtendedAsync(id, header, data);
        }

        private async Task SendExtensionHandshakeAsync()
        {
            var size = _behavior.AnnouncedMetadataSize ?? _metadata.Length;
            var body = _behavior.OffersMetadata
                ? $"d1:md11:ut_metadatai{OurUtMetadataId}ee13:metadata_sizei{size}e4:reqqi250e1:v8:FakePeere"
                : "d1:mde4:reqqi250e1:v8:FakePeere";
            await SendExtendedAsync(0, Encoding.ASCII.GetBytes(body), ReadOnlyMemory<byte>.Empty);
        }

        private async Task SendHaveAsync()
        {
            var count = peer._torrent.PieceCount;
            if (_behavior.Has is null && _behavior.FastExtension)
            {
                await SendAsync(0x0E, []);
                return;
            }

            var bitfield = new byte[(count + 7) / 8];
            for (var i = 0; i < count; i++)
            {
                if (_behavior.Has?.Invoke(i) ?? true)
                {
                    bitfield[i / 8] |= (byte)(0x80 >> (i % 8));
                }
            }

            await SendAsync(5, bitfield);
        }

        private async Task SendExtendedAsync(int id, byte[] header, ReadOnlyMemory<byte> data)
        {
            var payload = new byte[1 + header.Length + data.Length];
            payload[0] = (byte)id;
            header.CopyTo(payload, 1);
            data.Span.CopyTo(payload.AsSpan(1 + header.Length));
            await SendAsync(20, payload);
        }

        private async Task SendAsync(byte type, byte[] payload)
        {
            var frame = new byte[5 + payload.Length];
            BinaryPrimitives.WriteInt32BigEndian(frame, 1 + payload.Length);
            frame[4] = type;
            payload.CopyTo(frame, 5);
            await stream.WriteAsync(frame, ct);
        }

        private async Task<int> ReadInt32Async()
        {
            var prefix = new byte[4];
            await stream.ReadExactlyAsync(prefix, ct);
            return BinaryPrimitives.ReadInt32BigEndian(prefix);
        }
    }
}
