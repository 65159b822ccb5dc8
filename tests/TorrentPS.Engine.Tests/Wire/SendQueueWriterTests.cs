using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>A connection's writer thread lives only while there is something to send.</summary>
public sealed class SendQueueWriterTests
{
    private static readonly HandshakeOptions Options = new HandshakeOptions { ExchangeExtensionHandshake = false }.WithTimeout(TimeSpan.FromSeconds(5));

    [Fact]
    public async Task The_writer_ends_when_nothing_is_queued_and_the_next_flush_starts_another_that_sends()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var received = 0;
        var secondBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                if ((received += read) >= 2 * PeerMessageEncoder.RequestSize)
                {
                    secondBatch.TrySetResult();
                }
            }
        });
        using var wire = HandshakeExchange.Dial(peer.EndPoint, infoHash, Options, NullLogger.Instance, CancellationToken.None);
        using var queue = new SendQueue(wire, null, NullLogger.Instance, writerIdleExit: TimeSpan.FromMilliseconds(50));

        queue.Start();
        Assert.False(queue.WriterRunning);
        queue.Send(OutgoingMessage.Request(0, 0, 16384));
        Assert.Equal(1, queue.WritersStarted);
        Assert.True(SpinWait.SpinUntil(() => !queue.WriterRunning, TimeSpan.FromSeconds(10)), "the idle writer did not end");

        queue.Send(OutgoingMessage.Request(1, 0, 16384));

        await secondBatch.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, queue.WritersStarted);
    }
}
