using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>A connection's writer thread lives only while there is something to send.</summary>
public sealed class SendQueueWriterTests
{
    private static readonly HandshakeOptions Options = new HandshakeOptions { ExchangeExtensionHandshake = false }.WithTimeout(TimeSpan.FromSeconds(5));

    private const int Body = 16 * 1024;

    [Fact]
    public async Task The_writer_ends_when_nothing_is_queued_and_the_next_flush_starts_another_that_sends()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var secondBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = Reader(infoHash, 2 * (5 + Body), secondBatch);
        using var wire = HandshakeExchange.Dial(peer.EndPoint, infoHash, Options, NullLogger.Instance, CancellationToken.None);
        using var queue = new SendQueue(wire, null, NullLogger.Instance, writerIdleExit: TimeSpan.FromMilliseconds(50));

        queue.Start();
        Assert.False(queue.WriterRunning);
        // Bitfields larger than a flush sends itself: they go through the writer.
        queue.Send(OutgoingMessage.Bitfield(new byte[Body]));
        Assert.Equal(1, queue.WritersStarted);
        Assert.True(SpinWait.SpinUntil(() => !queue.WriterRunning, TimeSpan.FromSeconds(10)), "the idle writer did not end");

        queue.Send(OutgoingMessage.Bitfield(new byte[Body]));

        await secondBatch.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, queue.WritersStarted);
    }

    [Fact]
    public async Task A_request_batch_with_no_writer_alive_goes_out_on_the_flushing_thread_without_starting_one()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = Reader(infoHash, 8 * PeerMessageEncoder.RequestSize, all);
        using var wire = HandshakeExchange.Dial(peer.EndPoint, infoHash, Options, NullLogger.Instance, CancellationToken.None);
        using var queue = new SendQueue(wire, null, NullLogger.Instance);
        queue.Start();

        for (var i = 0; i < 8; i++)
        {
            queue.Enqueue(OutgoingMessage.Request(i, 0, 16384));
        }

        queue.Flush();

        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, queue.WritersStarted);
    }

    /// <summary>A peer that handshakes, then reads what we send and says when <paramref name="bytes"/> have come.</summary>
    private static ScriptedPeer Reader(InfoHash infoHash, int bytes, TaskCompletionSource arrived) => new(async (stream, ct) =>
    {
        await ScriptedPeer.ReadHandshakeAsync(stream, ct);
        await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
        var buffer = new byte[4096];
        var received = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            if ((received += read) >= bytes)
            {
                arrived.TrySetResult();
            }
        }
    });
}
