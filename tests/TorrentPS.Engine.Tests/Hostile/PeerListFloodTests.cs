using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Metainfo;
using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Swarm;
using TorrentPS.Engine.Tests.Trackers;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// Peer lists built to waste our dials (issue 19, 2): a tracker naming 100,000 dead peers with the one seeder last, and
/// a seeder named after 200 peers that accept and never answer. The seeder is reached, and soon.
/// </summary>
public sealed class PeerListFloodTests
{
    private readonly TestLoggerFactory _log = new();

    [Fact]
    public async Task A_tracker_naming_100000_dead_peers_and_the_seeder_last_gets_the_seeder_tried()
    {
        var content = TestTorrent.Content(10 * 32768, seed: 41);
        FakePeer? seeder = null;
        var answer = new Lazy<byte[]>(() => Announce(DeadPeers(100_000).Append(seeder!.EndPoint)));
        await using var tracker = new FakeHttpTracker(_ => FakeHttpResponse.Ok(answer.Value));
        var info = TorrentInfo.Parse(TestTorrent.SingleFile("flooded.bin", content, 32768).Root("announce", TestTorrent.Str(tracker.AnnounceUrl)).ToBytes());
        await using var peer = seeder = new FakePeer(info, content);

        var (result, elapsed) = await DownloadAsync(info, content, [], useTrackers: true, seconds: 120);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.True(peer.BlocksSent > 0);
        Assert.Contains(_log.Messages, m => m.Contains("waiting for a place", StringComparison.Ordinal));
        Assert.True(elapsed < TimeSpan.FromSeconds(90), $"took {elapsed}");
    }

    [Fact]
    public async Task A_seeder_named_after_200_peers_that_never_answer_the_handshake_is_reached_within_seconds()
    {
        var content = TestTorrent.Content(10 * 32768, seed: 42);
        var info = TorrentInfo.Parse(TestTorrent.SingleFile("behind-silent.bin", content, 32768).ToBytes());
        await using var silent = new SilentPeers(200);
        await using var seeder = new FakePeer(info, content);

        // 8 dials at a time, each waiting 10 s for a handshake, took 41.5 s in the issue; far longer here.
        var (result, elapsed) = await DownloadAsync(info, content, [.. silent.EndPoints, seeder.EndPoint], useTrackers: false, seconds: 30);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.True(elapsed < TimeSpan.FromSeconds(25), $"took {elapsed}");
    }

    private async Task<(DownloadResult Result, TimeSpan Elapsed)> DownloadAsync(TorrentInfo info, byte[] content, IPEndPoint[] peers, bool useTrackers, int seconds)
    {
        var data = new MemoryTorrentData(info, []);
        await using var session = new TorrentSession();
        var started = Stopwatch.StartNew();
        var torrent = session.Start(info, new TorrentOptions
        {
            Data = _ => data,
            Peers = peers,
            UseTrackers = useTrackers,
            LocalAddress = TestAddresses.Next(),
            NoProgressTimeout = TimeSpan.FromSeconds(seconds),
            StopTimeout = TimeSpan.FromSeconds(2),
        }, _log);
        DownloadResult result;
        try
        {
            result = await torrent.Completion.WaitAsync(TimeSpan.FromSeconds(seconds + 10));
        }
        catch (Exception ex) when (ex is TimeoutException or DownloadStalledException)
        {
            Assert.Fail($"{ex.Message} after {started.Elapsed}; status {torrent.Status}\n{string.Join("\n", _log.Messages.TakeLast(60))}");
            throw;
        }

        Assert.Equal(content, data.Content);
        return (result, started.Elapsed);
    }

    /// <summary>Addresses on 127.200.0.0 and up, port 1: nothing listens there, so every dial is refused at once.</summary>
    private static IEnumerable<IPEndPoint> DeadPeers(int count)
        => Enumerable.Range(0, count).Select(i => new IPEndPoint(new IPAddress([127, (byte)(200 + (i / 65536)), (byte)(i / 256 % 256), (byte)(i % 256)]), 1));

    /// <summary>A tracker's answer naming <paramref name="peers"/> in compact form, in that order.</summary>
    private static byte[] Announce(IEnumerable<IPEndPoint> peers)
    {
        var compact = new List<byte>();
        foreach (var peer in peers)
        {
            compact.AddRange(peer.Address.GetAddressBytes());
            compact.Add((byte)(peer.Port >> 8));
            compact.Add((byte)peer.Port);
        }

        return [.. Encoding.ASCII.GetBytes($"d8:intervali1800e5:peers{compact.Count}:"), .. compact, (byte)'e'];
    }

    /// <summary>Listeners that accept every connection and never say a word (each on its own loopback address).</summary>
    private sealed class SilentPeers : IAsyncDisposable
    {
        private readonly List<TcpListener> _listeners = [];
        private readonly List<Socket> _accepted = [];
        private readonly List<Task> _accepting = [];
        private readonly CancellationTokenSource _stop = new();

        public SilentPeers(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(TestAddresses.Next(), 0);
                listener.Start();
                _listeners.Add(listener);
                _accepting.Add(AcceptAsync(listener));
            }
        }

        public IEnumerable<IPEndPoint> EndPoints => _listeners.Select(l => (IPEndPoint)l.LocalEndpoint);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            foreach (var listener in _listeners)
            {
                listener.Stop();
            }

            lock (_accepted)
            {
                foreach (var socket in _accepted)
                {
                    socket.Dispose();
                }
            }

            await Task.WhenAll(_accepting).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task AcceptAsync(TcpListener listener)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var socket = await listener.AcceptSocketAsync(_stop.Token);
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }
}
