using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>
/// Every per-peer queue is bounded, not only block uploads (issue 19, 5): a cached answer waits once however often it is
/// asked for, and a peer that reads nothing has its connection closed rather than its queue grow.
/// </summary>
public sealed class SendQueueBoundsTests
{
    private static readonly HandshakeOptions Options = new HandshakeOptions { ExchangeExtensionHandshake = false }.WithTimeout(TimeSpan.FromSeconds(5));

    /// <summary>A connection to a peer that handshakes and then reads nothing; the queue's writer is not started, so everything waits.</summary>
    private static async Task<(ScriptedPeer Peer, PeerWire Wire)> ConnectToSinkAsync()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var peer = new ScriptedPeer(async (stream, ct) =>
        {
            await ScriptedPeer.ReadHandshakeAsync(stream, ct);
            await stream.WriteAsync(ScriptedPeer.Handshake(infoHash), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var wire = await Task.Run(() => HandshakeExchange.Dial(peer.EndPoint, infoHash, Options, NullLogger.Instance, CancellationToken.None));
        return (peer, wire);
    }

    [Fact]
    public async Task An_extended_message_whose_body_is_already_waiting_is_queued_once_however_often_it_is_sent()
    {
        var (peer, wire) = await ConnectToSinkAsync();
        await using var _ = peer;
        using var owned = wire;
        using var queue = new SendQueue(wire, null, NullLogger.Instance);
        var answer = new byte[6000];

        for (var i = 0; i < 200_000; i++)
        {
            queue.Enqueue(OutgoingMessage.Extended(3, answer));
        }

        Assert.Equal(1, queue.Waiting);
        queue.Enqueue(OutgoingMessage.Extended(3, new byte[10]));
        queue.Enqueue(OutgoingMessage.Have(1));
        queue.Enqueue(OutgoingMessage.Have(1));
        Assert.Equal(4, queue.Waiting);
        Assert.False(wire.IsClosed);
    }

    [Fact]
    public async Task A_peer_that_reads_nothing_is_closed_when_its_waiting_messages_reach_the_bound()
    {
        var (peer, wire) = await ConnectToSinkAsync();
        await using var _ = peer;
        using var owned = wire;
        using var queue = new SendQueue(wire, null, NullLogger.Instance);

        for (var i = 0; i < SendQueue.MaxWaitingMessages * 2 && !wire.IsClosed; i++)
        {
            queue.Enqueue(OutgoingMessage.Extended(3, new byte[20]));
        }

        Assert.True(wire.IsClosed);
        Assert.StartsWith("does not read what we send", wire.CloseReason);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public async Task A_peer_that_reads_nothing_is_closed_when_the_bodies_waiting_reach_the_byte_bound()
    {
        var (peer, wire) = await ConnectToSinkAsync();
        await using var _ = peer;
        using var owned = wire;
        using var queue = new SendQueue(wire, null, NullLogger.Instance);

        var sent = 0;
        for (; sent < 1000 && !wire.IsClosed; sent++)
        {
            queue.Enqueue(OutgoingMessage.Extended(3, new byte[16 * 1024]));
        }

        Assert.True(wire.IsClosed);
        Assert.Equal((SendQueue.MaxWaitingBytes / (16 * 1024)) + 1, sent);
        Assert.StartsWith("does not read what we send", wire.CloseReason);
    }
}
