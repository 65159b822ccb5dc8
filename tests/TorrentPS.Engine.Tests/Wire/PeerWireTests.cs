using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>The framed blocking connection: replay of early messages, buffer sizing, closing from another thread, coalesced sends.</summary>
public sealed class PeerWireTests
{
    private static readonly HandshakeOptions Options = new HandshakeOptions { ExchangeExtensionHandshake = false }.WithTimeout(TimeSpan.FromSeconds(5));

    private static PeerWire Dial(ScriptedPeer peer, Engine.Metainfo.InfoHash infoHash, HandshakeOptions? options = null)
        => HandshakeExchange.Dial(peer.EndPoint, infoHash, options ?? Options, NullLogger.Instance, CancellationToken.None);

    [Fact]
    public async Task A_dialled_connection_blocks_at_the_system_level_and_still_reads_after_a_quiet_spell()
    {
        // .NET emulates a blocking receive on a socket that is non-blocking underneath through its epoll thread and
        // thread pool; the non-blocking connect used to leave every dialled socket that way for good.
        var infoHash = ScriptedPeer.RandomInfoHash();
        var proceed = new TaskCompletionSource();
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await proceed.Task.WaitAsync(ct);
            await stream.WriteAsync(new byte[] { 0, 0, 0, 5, 4, 0, 0, 0, 7 }, ct); // have 7
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        using var wire = Dial(peer, infoHash);
        if (OperatingSystem.IsLinux())
        {
            var fd = (int)wire.Socket.SafeHandle.DangerousGetHandle();
            var flags = File.ReadAllLines($"/proc/self/fdinfo/{fd}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
            const int nonBlocking = 0x800;
            Assert.Equal(0, Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & nonBlocking);
        }

        var read = Task.Run(wire.ReadMessage);
        await Task.Delay(300); // longer than a receive slice: the wait times out at least once before the message comes
        proceed.SetResult();
        var message = await read.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PeerMessageType.Have, message.Type);
        Assert.Equal(7, message.Index);
    }

    [Fact]
    public async Task A_dialled_socket_is_never_watched_by_the_runtimes_epoll_even_when_the_peer_answers_the_handshake_late()
    {
        // A blocking receive through .NET on a socket that is non-blocking underneath (the connect made it so) registers
        // it with .NET's epoll thread the first time it finds nothing to read; from then on every arrival of data woke
        // that thread and the thread pool for the whole download (issue 20). The handshake's receive was such a receive.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var infoHash = ScriptedPeer.RandomInfoHash();
        var ours = new TaskCompletionSource();
        var answer = new TaskCompletionSource();
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            ours.SetResult();
            await answer.Task.WaitAsync(ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        var name = ThreadName();
        var dialling = ConnectionThread.RunAsync(name, () => Dial(peer, infoHash));

        // Our handshake went out; the peer answers only once the dialling thread sleeps waiting for the answer.
        await ours.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(SpinWait.SpinUntil(() => RuntimeEpoll.IsAsleep(name), TimeSpan.FromSeconds(10)), "the dialling thread waits for the answer");
        answer.SetResult();
        using var wire = await dialling.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(RuntimeEpoll.IsNonBlocking(wire.Socket));
        Assert.DoesNotContain(RuntimeEpoll.Descriptor(wire.Socket), RuntimeEpoll.WatchedDescriptors());
    }

    [Fact]
    public async Task An_accepted_socket_that_was_ever_non_blocking_is_made_blocking_before_the_handshake_and_never_watched_by_epoll()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var infoHash = ScriptedPeer.RandomInfoHash();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        var accepted = listener.Accept();

        // What any asynchronous operation leaves behind on Linux: non-blocking underneath for good, whatever Blocking says.
        accepted.Blocking = false;
        accepted.Blocking = true;
        Assert.True(RuntimeEpoll.IsNonBlocking(accepted));

        var name = ThreadName();
        var answering = ConnectionThread.RunAsync(name, () => HandshakeExchange.Accept(accepted, hash => hash == infoHash ? Options : null, TimeSpan.FromSeconds(10), NullLogger.Instance, CancellationToken.None));
        Assert.True(SpinWait.SpinUntil(() => RuntimeEpoll.IsAsleep(name), TimeSpan.FromSeconds(10)), "the accepting thread waits for the handshake");
        client.Send(ScriptedPeer.Handshake(infoHash));
        using var wire = await answering.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(RuntimeEpoll.IsNonBlocking(wire.Socket));
        Assert.DoesNotContain(RuntimeEpoll.Descriptor(wire.Socket), RuntimeEpoll.WatchedDescriptors());
    }

    /// <summary>A thread name of its own (Linux keeps 15 characters), so /proc tells which thread it is.</summary>
    private static string ThreadName() => $"tps-test-{Random.Shared.Next(1_000_000):D6}";

    [Fact]
    public async Task Messages_sent_before_the_extension_handshake_are_replayed_in_order_after_it()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash, reserved: ReservedBits.Create(true, true, false)), ct);
            var frames = new byte[64];
            var n = PeerMessageEncoder.WriteHaveNone(frames);
            n += PeerMessageEncoder.WriteHave(frames.AsSpan(n), 3);
            n += PeerMessageEncoder.WriteUnchoke(frames.AsSpan(n));
            await stream.WriteAsync(frames.AsMemory(0, n), ct);
            await stream.WriteAsync(Extended(new ExtensionHandshake(clientVersion: "late").ToArray()), ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        using var wire = Dial(peer, infoHash, Options with { ExchangeExtensionHandshake = true, FastExtension = true, PieceCount = 8 });

        wire.ReadUntilExtensionHandshake(TimeSpan.FromSeconds(5));

        Assert.Equal("late", wire.RemoteExtensionHandshake!.ClientVersion);
        Assert.Equal(PeerMessageType.HaveNone, wire.ReadMessage().Type);
        var have = wire.ReadMessage();
        Assert.Equal((PeerMessageType.Have, 3), (have.Type, have.Index));
        Assert.Equal(PeerMessageType.Unchoke, wire.ReadMessage().Type);
    }

    [Fact]
    public async Task A_peer_without_an_extension_handshake_is_still_a_peer_whose_messages_arrive()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash, reserved: ReservedBits.Create(true, false, false)), ct);
            var frame = new byte[5];
            PeerMessageEncoder.WriteUnchoke(frame);
            await stream.WriteAsync(frame, ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        using var wire = Dial(peer, infoHash, Options with { ExchangeExtensionHandshake = true });
        Assert.Equal(PeerMessageType.Unchoke, wire.ReadMessage().Type);
        Assert.Null(wire.RemoteExtensionHandshake);
    }

    [Fact]
    public async Task Closing_from_another_thread_ends_a_blocked_read_at_once()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        var wire = Dial(peer, infoHash);
        var reading = Task.Run(() => Assert.Throws<PeerUnreachableException>(() => wire.ReadMessage()));
        await Task.Delay(200);
        var started = System.Diagnostics.Stopwatch.StartNew();
        wire.Close("test over");
        var error = await reading.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("test over", error.Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2));
        wire.Dispose();
    }

    [Fact]
    public async Task The_receive_buffer_returns_to_its_normal_size_after_a_large_frame()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var body = new byte[200_000];
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash, reserved: ReservedBits.Create(true, false, false)), ct);
            await stream.WriteAsync(Extended([.. "d1:ai1ee"u8, .. body], extendedId: 7), ct);
            var small = new byte[9];
            PeerMessageEncoder.WriteHave(small, 1);
            await Task.Delay(100, ct);
            await stream.WriteAsync(small, ct);
            await stream.WriteAsync(small, ct);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        using var wire = Dial(peer, infoHash);
        var large = wire.ReadMessage();
        Assert.Equal(200_008, large.Payload.Length);
        Assert.Equal(PeerMessageType.Have, wire.ReadMessage().Type);
        Assert.Equal(PeerMessageType.Have, wire.ReadMessage().Type);
        Assert.True(ReceiveBufferLength(wire) <= PeerWire.NormalReceiveSize * 2, $"the buffer is {ReceiveBufferLength(wire)} bytes");
    }

    [Fact]
    public async Task Queued_messages_go_out_together_in_one_write()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var firstRead = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            var buffer = new byte[64 * 1024];
            var read = 0;
            // Everything queued before the flush arrives in the first read (one segment on loopback).
            read = await stream.ReadAsync(buffer, ct);
            firstRead.SetResult(read);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        using var wire = Dial(peer, infoHash);
        using var queue = new SendQueue(wire, null, NullLogger.Instance);
        for (var i = 0; i < 50; i++)
        {
            queue.Enqueue(OutgoingMessage.Request(i, 0, 16384));
        }

        queue.Start();
        queue.Flush();
        Assert.Equal(50 * PeerMessageEncoder.RequestSize, await firstRead.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_flush_of_requests_while_the_writer_sleeps_sends_them_itself_and_what_the_socket_cannot_take_follows_in_order()
    {
        // The loop's request batches go out on its own thread (no second wake-up per receive for the writer); when the
        // socket's buffer is full, the rest goes to the writer, ahead of everything queued later, and the peer reads
        // every request once, in order.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // 15,360 requests (261 KB): more than our small send buffer and the peer's receive buffer hold (it reads nothing,
        // so its buffer keeps its first size), fewer than a send queue lets wait.
        const int batches = 60;
        const int perBatch = 256;
        var infoHash = ScriptedPeer.RandomInfoHash();
        var startReading = new TaskCompletionSource();
        var indexes = new TaskCompletionSource<List<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await startReading.Task.WaitAsync(ct);
            var all = new byte[batches * perBatch * PeerMessageEncoder.RequestSize];
            await stream.ReadExactlyAsync(all, ct);
            var seen = new List<int>();
            for (var offset = 0; offset < all.Length; offset += PeerMessageEncoder.RequestSize)
            {
                seen.Add(BinaryPrimitives.ReadInt32BigEndian(all.AsSpan(offset + 5)));
            }

            indexes.SetResult(seen);
            await ScriptedPeer.DrainAsync(stream, ct);
        });
        using var wire = Dial(peer, infoHash);
        wire.Socket.SendBufferSize = 4096;
        using var queue = new SendQueue(wire, null, NullLogger.Instance);
        queue.Start();
        var writerWaiting = typeof(SendQueue).GetField("_writerWaiting", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.True(SpinWait.SpinUntil(() => (bool)writerWaiting.GetValue(queue)!, TimeSpan.FromSeconds(10)), "the writer sleeps");

        // The peer reads nothing yet: the socket's buffers fill, and some flush finds no room for all of its batch.
        var next = 0;
        for (var b = 0; b < batches; b++)
        {
            for (var i = 0; i < perBatch; i++)
            {
                queue.Enqueue(OutgoingMessage.Request(next++, 0, 16384));
            }

            queue.Flush();
        }

        var (whole, partly) = queue.InlineFlushes;
        Assert.True(whole > 0, "flushes sent their requests themselves");
        Assert.True(partly > 0, "a flush found the socket's buffer full");

        startReading.SetResult();
        var received = await indexes.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, batches * perBatch), received);
    }

    private static byte[] Extended(byte[] body, byte extendedId = 0)
    {
        var frame = new byte[6 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 2 + body.Length);
        frame[4] = (byte)PeerMessageType.Extended;
        frame[5] = extendedId;
        body.CopyTo(frame, 6);
        return frame;
    }

    private static int ReceiveBufferLength(PeerWire wire)
        => ((byte[])typeof(PeerWire).GetField("_receive", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(wire)!).Length;
}
