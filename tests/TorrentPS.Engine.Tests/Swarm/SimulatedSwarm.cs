using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Tests.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>
/// One torrent's loop with simulated peers and a fake clock: no sockets. Tests post what peers say, wait for the loop
/// to take it in (<see cref="SettleAsync"/>), then look at what it sent.
/// </summary>
internal sealed class SimulatedSwarm : IAsyncDisposable
{
    private readonly TorrentSession _session;

    private SimulatedSwarm(TorrentInfo info, byte[] content, MemoryTorrentData data, FakeTimeProvider time, TorrentSession session, TorrentRun torrent)
    {
        Info = info;
        Content = content;
        Data = data;
        Time = time;
        _session = session;
        Torrent = torrent;
    }

    public TorrentInfo Info { get; }

    public byte[] Content { get; }

    public MemoryTorrentData Data { get; }

    public FakeTimeProvider Time { get; }

    public TorrentRun Torrent { get; }

    public static async Task<SimulatedSwarm> StartAsync(int length = 10 * 16384, int pieceLength = 2 * 16384, Bitfield? have = null, Func<TorrentOptions, TorrentOptions>? configure = null, int seed = 7, bool isPrivate = false)
    {
        var content = TestTorrent.Content(length, seed);
        var metainfo = TestTorrent.SingleFile("sim.bin", content, pieceLength);
        var info = TorrentInfo.Parse((isPrivate ? metainfo.Info("private", new Engine.Bencode.BencodeInteger(1)) : metainfo).ToBytes());
        var data = new MemoryTorrentData(info, content, have);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new TorrentOptions { Data = _ => data, UseTrackers = false, StopTimeout = TimeSpan.FromSeconds(1) };
        options = configure?.Invoke(options) ?? options;
        var session = new TorrentSession(time: time);
        var torrent = session.Start(info, options);
        var swarm = new SimulatedSwarm(info, content, data, time, session, torrent);
        await swarm.SettleAsync();
        return swarm;
    }

    /// <summary>A torrent of the test's own (several files, say) over <paramref name="content"/>; <paramref name="configure"/> may give it other data.</summary>
    public static async Task<SimulatedSwarm> StartAsync(TorrentInfo info, byte[] content, Func<TorrentOptions, TorrentOptions> configure)
    {
        var data = new MemoryTorrentData(info, content);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = configure(new TorrentOptions { Data = _ => data, UseTrackers = false, StopTimeout = TimeSpan.FromSeconds(1) });
        var session = new TorrentSession(time: time);
        var torrent = session.Start(info, options);
        var swarm = new SimulatedSwarm(info, content, data, time, session, torrent);
        await swarm.SettleAsync();
        return swarm;
    }

    /// <summary>The same torrent started from a magnet link: its metadata must come from the peers.</summary>
    public static async Task<SimulatedSwarm> StartMagnetAsync(int length = 10 * 16384, int pieceLength = 2 * 16384, int seed = 7)
    {
        var content = TestTorrent.Content(length, seed);
        var info = TorrentInfo.Parse(TestTorrent.SingleFile("sim.bin", content, pieceLength).ToBytes());
        var data = new MemoryTorrentData(info, content);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new TorrentOptions { Data = _ => data, UseTrackers = false, StopTimeout = TimeSpan.FromSeconds(1) };
        var session = new TorrentSession(time: time);
        var torrent = session.Start(new MagnetLink(info.Hash, null, [], [], [], null), options);
        var swarm = new SimulatedSwarm(info, content, data, time, session, torrent);
        await swarm.SettleAsync();
        return swarm;
    }

    /// <summary>Waits until the loop has handled everything posted so far.</summary>
    public async Task SettleAsync()
    {
        // Twice: events the first batch caused (e.g. a check finishing) are handled too. A torrent that ended is settled.
        for (var i = 0; i < 2 && !Torrent.Completion.IsCompleted; i++)
        {
            try
            {
                await Torrent.RunOnLoopAsync(() => { }).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException) when (Torrent.Completion.IsCompleted || !Torrent.Status.State.Equals(TorrentState.Downloading))
            {
                return;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Moves the fake clock in tick-sized steps (each tick handled before the next).</summary>
    public async Task AdvanceAsync(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(250);
        for (var passed = TimeSpan.Zero; passed < span; passed += step)
        {
            Time.Advance(step);
            await SettleAsync();
        }
    }

    /// <summary>A peer that connected, said it has <paramref name="has"/> pieces (all by default) and unchoked us.</summary>
    public async Task<SimulatedPeer> ConnectAsync(Func<int, bool>? has = null, bool unchoke = true, bool fast = true)
    {
        var peer = new SimulatedPeer(Torrent, fast);
        peer.Connect();
        if (has is null && fast)
        {
            peer.Say(new IncomingMessage(PeerMessageType.HaveAll));
        }
        else
        {
            peer.SayBitfield(Info.PieceCount, has ?? (_ => true));
        }

        if (unchoke)
        {
            peer.Say(new IncomingMessage(PeerMessageType.Unchoke));
        }

        await SettleAsync();
        return peer;
    }

    /// <summary>The block a request asks for, from the content (or corrupted).</summary>
    public (int, int, byte[]) BlockFor(OutgoingMessage request, bool corrupt = false)
    {
        var data = Content.AsSpan((int)(request.Index * Info.PieceLength) + request.Begin, request.Length).ToArray();
        if (corrupt)
        {
            data[0] ^= 0xFF;
        }

        return (request.Index, request.Begin, data);
    }

    /// <summary>
    /// Answers every open request of <paramref name="peer"/> (until none is left, or rounds run out). Settles first: the
    /// loop may still be topping up pipelines for what the caller just did (a selection change completes before the
    /// batch that applied it has sent its requests).
    /// </summary>
    public async Task ServeAsync(SimulatedPeer peer, bool corrupt = false, int rounds = 1000)
    {
        await SettleAsync();
        for (var round = 0; round < rounds; round++)
        {
            var open = peer.TakeOpenRequests();
            if (open.Count == 0)
            {
                return;
            }

            peer.Deliver(open.Select(r => BlockFor(r, corrupt)));
            await SettleAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Torrent.Stop("test over");
        for (var i = 0; i < 40 && !Torrent.Completion.IsCompleted; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5);
        }

        await _session.DisposeAsync();
    }
}
