using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Storage;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// A test torrent, the fake peers serving it, and one download of it by the real engine into the torrent's (empty)
/// folder: options with generous but bounded timeouts, waits with a deadline, and the byte-for-byte comparison.
/// </summary>
internal sealed class FakeSwarm : IAsyncDisposable
{
    private readonly List<FakePeer> _peers = [];
    private readonly TorrentSession _session = new();

    public FakeSwarm(StorageTorrent torrent) => Torrent = torrent;

    public StorageTorrent Torrent { get; }

    public TestLoggerFactory Log { get; } = new();

    public TorrentInfo Info => Torrent.Torrent;

    public MagnetLink Magnet => MagnetLink.Parse($"magnet:?xt=urn:btih:{Info.Hash.Hex}");

    /// <summary>A fake peer serving the torrent, disposed with the swarm.</summary>
    public FakePeer Peer(FakePeerBehavior? behavior = null)
    {
        var peer = new FakePeer(Info, Torrent.Content, behavior);
        _peers.Add(peer);
        return peer;
    }

    /// <summary>Options that download into the torrent's folder from <paramref name="peers"/> only (no trackers).</summary>
    public TorrentOptions Options(params FakePeer[] peers) => new()
    {
        Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, Torrent.Folder)),
        Peers = peers.Select(p => p.EndPoint).ToArray(),
        UseTrackers = false,
        LocalAddress = TestAddresses.Next(),
        NoProgressTimeout = TimeSpan.FromSeconds(30),
        RequestTimeout = TimeSpan.FromSeconds(3),
    };

    public TorrentRun Start(params FakePeer[] peers) => _session.Start(Info, Options(peers), Log);

    public TorrentRun StartMagnet(params FakePeer[] peers) => _session.Start(Magnet, Options(peers), Log);

    /// <summary>
    /// Downloads (the torrent, or its magnet link) from <paramref name="bad"/> alone until <paramref name="misbehaved"/>
    /// shows it did what it does, then lets an honest peer join and waits for the end.
    /// </summary>
    public async Task<(DownloadResult Result, TorrentRun Torrent, FakePeer Honest)> BadFirstThenHonestAsync(FakePeer bad, Func<bool> misbehaved, string what, bool magnet = false)
    {
        var honest = Peer();
        var torrent = magnet ? StartMagnet(bad) : Start(bad);
        await WaitUntilAsync(misbehaved, what);
        torrent.AddPeers(EndPoints(honest));
        return (await CompletionAsync(torrent), torrent, honest);
    }

    /// <summary>The download's result, within a bound that catches a hang (the log in the failure message).</summary>
    public async Task<DownloadResult> CompletionAsync(TorrentRun torrent, int seconds = 45)
    {
        try
        {
            return await torrent.Completion.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The download did not end within {seconds} s; status {torrent.Status}\n{LogText}");
            throw;
        }
        catch (DownloadStalledException ex)
        {
            Assert.Fail($"{ex.Message}\n{LogText}");
            throw;
        }
    }

    /// <summary>Completed, every piece verified, and the file on disk equal to the content byte for byte.</summary>
    public void AssertDownloadedWhole(DownloadResult result)
    {
        Assert.True(result.State == TorrentState.Completed, $"{result.State}\n{LogText}");
        Assert.Equal(Info.PieceCount, result.VerifiedPieces);
        Assert.Equal(Torrent.Content, File.ReadAllBytes(Torrent.PathOf(0)));
    }

    public string LogText => string.Join("\n", Log.Messages);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after <paramref name="seconds"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}\n{LogText}");
            await Task.Delay(20);
        }
    }

    public static IPEndPoint[] EndPoints(params FakePeer[] peers) => peers.Select(p => p.EndPoint).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        Torrent.Dispose();
    }
}
