using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Swarm.Parts;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>
/// A connection's reading thread over a real socket, against a scripted peer: which batches it posts without waking the
/// loop, from what the scheduler told it to expect.
/// </summary>
public sealed class PeerLinkTests
{
    private const int Block = ActivePiece.BlockSize;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly HandshakeOptions Options = new HandshakeOptions { ExchangeExtensionHandshake = false }.WithTimeout(TimeSpan.FromSeconds(30));

    /// <summary>What the reading thread posted, in order, and whether each post woke the loop.</summary>
    private sealed record Posted(SwarmEvent Event, bool Woke);

    private static byte[] PieceMessage(PartsTorrent torrent, int index, int begin)
    {
        var message = new byte[13 + Block];
        PeerMessageEncoder.WritePiece(message, index, begin, torrent.Content.AsSpan((int)(index * torrent.Info.PieceLength) + begin, Block));
        return message;
    }

    /// <summary>
    /// A connection to a scripted peer that handshakes and then writes <paramref name="blocks"/>, each once
    /// <paramref name="next"/> is released (null: all at once), read by a <see cref="PeerLink"/> on a thread of its own
    /// whose posts are recorded.
    /// </summary>
    private sealed class Reading : IAsyncDisposable
    {
        private readonly ScriptedPeer _peer;
        private readonly Thread _thread;

        private Reading(ScriptedPeer peer, PeerLink link, BlockingCollection<Posted> posted)
        {
            _peer = peer;
            Link = link;
            Posted = posted;
            _thread = new Thread(link.Run) { IsBackground = true, Name = "test reader" };
        }

        public PeerLink Link { get; }

        public BlockingCollection<Posted> Posted { get; }

        public Posted Next()
        {
            Assert.True(Posted.TryTake(out var posted, Patience));
            return posted!;
        }

        public static async Task<Reading> StartAsync(PartsTorrent torrent, (int Index, int Begin)[] blocks, SemaphoreSlim? next, BlockExpectation? expectation)
        {
            var peer = new ScriptedPeer(async (stream, ct) =>
            {
                await ScriptedPeer.ReadHandshakeAsync(stream, ct);
                await stream.WriteAsync(ScriptedPeer.Handshake(torrent.Info.Hash), ct);
                foreach (var (index, begin) in blocks)
                {
                    if (next is not null)
                    {
                        await next.WaitAsync(ct);
                    }

                    await stream.WriteAsync(PieceMessage(torrent, index, begin), ct);
                }

                await Task.Delay(Timeout.Infinite, ct);
            });
            var wire = await Task.Run(() => HandshakeExchange.Dial(peer.EndPoint, torrent.Info.Hash, Options, NullLogger.Instance, CancellationToken.None));
            var pieces = new PieceContextHolder();
            pieces.Publish(torrent.Context);
            var posted = new BlockingCollection<Posted>();
            var link = new PeerLink(wire, 7, pieces, e => { posted.Add(new Posted(e, true)); return true; }, e => { posted.Add(new Posted(e, false)); return true; }, NullLogger.Instance);
            if (expectation is { } expected)
            {
                link.Expect(expected);
            }

            var reading = new Reading(peer, link, posted);
            reading._thread.Start();
            return reading;
        }

        public async ValueTask DisposeAsync()
        {
            Link.Close("the test is over");
            Assert.True(_thread.Join(Patience));
            await _peer.DisposeAsync();
        }
    }

    [Fact]
    public async Task Blocks_with_more_than_the_mark_still_to_come_are_posted_quietly_and_the_batch_that_reaches_it_wakes_the_loop()
    {
        // Pieces of two blocks; three blocks asked for, the loop to be woken once at most one is still to come.
        var torrent = new PartsTorrent(pieces: 4);
        torrent.Context.Assembler.Start(0);
        torrent.Context.Assembler.Start(1);
        var blocks = new[] { (Index: 0, Begin: 0), (Index: 0, Begin: Block), (Index: 1, Begin: 0) };
        var next = new SemaphoreSlim(0);
        await using var reading = await Reading.StartAsync(torrent, blocks, next, new BlockExpectation(3L * Block, 0, Block));

        Assert.True(reading.Next() is { Event: SwarmEvent.PeerConnected, Woke: true });

        // Each block is a batch of its own (the next is written once its batch was posted).
        var woke = new List<bool>();
        foreach (var (index, begin) in blocks)
        {
            next.Release();
            var batch = reading.Next();
            var messages = Assert.IsType<SwarmEvent.PeerMessages>(batch.Event).Batch.Messages;
            Assert.Equal((PeerMessageType.Piece, index, begin), (Assert.Single(messages).Type, messages[0].Index, messages[0].Begin));
            woke.Add(batch.Woke);
        }

        // Two blocks still to come after the first (quiet); one after the second, none after the third (both wake).
        Assert.Equal([false, true, true], woke);
        Assert.Equal([0], torrent.Verified);
    }

    [Fact]
    public async Task Nothing_expected_makes_every_batch_of_blocks_wake_the_loop()
    {
        var torrent = new PartsTorrent(pieces: 4);
        torrent.Context.Assembler.Start(0);
        await using var reading = await Reading.StartAsync(torrent, [(0, 0)], next: null, expectation: null);

        Assert.True(reading.Next() is { Event: SwarmEvent.PeerConnected, Woke: true });
        Assert.True(reading.Next() is { Event: SwarmEvent.PeerMessages, Woke: true });
    }
}
