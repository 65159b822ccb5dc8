using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

/// <summary>Measures allocations process-wide, so it runs alone.</summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class WireAllocationTests
{
    [Fact]
    public async Task Reading_messages_allocates_nothing_per_message()
    {
        const int count = 20_000;
        var infoHash = ScriptedPeer.RandomInfoHash();
        var stream = new byte[count * PeerMessageEncoder.HaveSize];
        for (var i = 0; i < count; i++)
        {
            PeerMessageEncoder.WriteHave(stream.AsSpan(i * PeerMessageEncoder.HaveSize), i);
        }

        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new ScriptedPeer(async (network, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(network, ct);
            await network.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await network.WriteAsync(stream, ct);
            sent.SetResult();
            await ScriptedPeer.DrainAsync(network, ct);
        });
        using var wire = HandshakeExchange.Dial(peer.EndPoint, infoHash, new HandshakeOptions { ExchangeExtensionHandshake = false }, NullLogger.Instance, CancellationToken.None);
        await sent.Task;

        ReadIndexedMessages(wire, count, PeerMessageType.Have, length: 0);
    }

    [Fact]
    public async Task Reading_blocks_that_straddle_reads_allocates_nothing_per_block()
    {
        // 16 KiB blocks: most frames are not whole in the receive buffer, so each takes the path that waits for
        // the rest of a message under the message deadline.
        const int count = 8_000;
        const int blockLength = 16 * 1024;
        var infoHash = ScriptedPeer.RandomInfoHash();
        var block = new byte[blockLength];
        var frame = new byte[13 + blockLength];
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new ScriptedPeer(async (network, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(network, ct);
            await network.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            for (var i = 0; i < count; i++)
            {
                PeerMessageEncoder.WritePiece(frame, i, 0, block);
                await network.WriteAsync(frame.AsMemory(), ct); // the ValueTask overload: the writer allocates nothing per block either
            }

            sent.SetResult();
            await ScriptedPeer.DrainAsync(network, ct);
        });
        using var wire = HandshakeExchange.Dial(
            peer.EndPoint, infoHash, new HandshakeOptions { ExchangeExtensionHandshake = false, PieceCount = count }, NullLogger.Instance, CancellationToken.None);

        ReadIndexedMessages(wire, count, PeerMessageType.Piece, blockLength);
        await sent.Task;
    }

    [Fact]
    public async Task Sending_messages_allocates_nothing_per_message()
    {
        const int count = 20_000;
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var peer = new ScriptedPeer(async (network, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(network, ct);
            await network.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await ScriptedPeer.DrainAsync(network, ct);
        });
        await using var connection = await PeerConnection.ConnectAsync(peer.EndPoint, infoHash, new HandshakeOptions { ExchangeExtensionHandshake = false });
        for (var i = 0; i < 100; i++)
        {
            await connection.SendHaveAsync(i);
            await connection.SendRequestAsync(i, 0, 16384);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            await connection.SendHaveAsync(i);
            await connection.SendRequestAsync(i, 16384, 16384);
        }

        AssertNoAllocationPerMessage((double)(GC.GetTotalAllocatedBytes(precise: true) - before) / (2 * count));
    }

    /// <summary>
    /// Reads <paramref name="count"/> messages of <paramref name="type"/> carrying indexes 0, 1, 2, …: the first quarter warm
    /// up, the rest are measured and must each allocate nothing.
    /// </summary>
    private static void ReadIndexedMessages(PeerWire wire, int count, PeerMessageType type, int length)
    {
        // A quarter warms up: tiered compilation replaces the read path's code while it runs, and on a busy machine
        // that happens late; the rest is measured.
        var warmUp = count / 4;
        for (var i = 0; i < warmUp; i++)
        {
            wire.ReadMessage();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        var others = 0;
        for (var i = warmUp; i < count; i++)
        {
            // No Assert in the loop: xunit's comparers allocate.
            var message = wire.ReadMessage();
            others += message.Type == type && message.Length == length ? 0 : 1;
            sum += message.Index;
        }

        var perMessage = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / (count - warmUp);
        Assert.Equal(0, others);
        Assert.Equal(((long)count * (count - 1) / 2) - ((long)warmUp * (warmUp - 1) / 2), sum);
        AssertNoAllocationPerMessage(perMessage);
    }

    /// <summary>
    /// Release builds (CI) allocate nothing per message. Debug builds compile async state machines as
    /// classes, so each awaited call allocates them; there only gross per-message allocations fail.
    /// </summary>
    private static void AssertNoAllocationPerMessage(double perMessage)
    {
        var optimized = typeof(PeerConnection).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().All(d => !d.IsJITOptimizerDisabled);
        // The smallest object is 24 bytes, so anything allocated per message averages 24 or more; a rare event (the
        // exception of a receive slice that timed out on a loaded machine) spread over thousands of messages stays below 16.
        var limit = optimized ? 16 : 1024;
        Assert.True(perMessage < limit, $"{perMessage:0.00} bytes allocated per message (limit {limit}, optimized build: {optimized})");
    }
}
