using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// Our engine downloading in this process, into a fresh folder, from its own loopback address: options with generous but
/// bounded timeouts, the engine's log kept for failure messages, and the session closed on dispose.
/// </summary>
internal sealed class InteropDownload : IAsyncDisposable
{
    private readonly TempDirectory _folder = new("tps-dl");
    private readonly TestLoggerFactory _log = new();
    private readonly List<Func<string>> _diagnostics = [];

    public InteropDownload() => Session = new TorrentSession();

    public TorrentSession Session { get; }

    /// <summary>The -Destination folder: the single file or the multi-file torrent's top folder goes in it.</summary>
    public string Destination => _folder.Combine("out");

    public IEnumerable<string> LogMessages => _log.Messages;

    /// <summary>Where the content of <paramref name="torrent"/> ends up.</summary>
    public string ContentPath(TorrentInfo torrent) => ContentLocation.InFolder(torrent, Destination).ContentPath;

    /// <summary>The resume file a download of <paramref name="infoHash"/> into <see cref="Destination"/> keeps.</summary>
    public string ResumePath(InfoHash infoHash) => ContentLocation.GetDefaultResumePathInFolder(Destination, infoHash);

    /// <summary>Adds what a process (a seeder, a tracker) printed to the failure messages.</summary>
    public void Explain(Func<string> diagnostics) => _diagnostics.Add(diagnostics);

    /// <summary>Options that download into <see cref="Destination"/> from <paramref name="peers"/>, without trackers.</summary>
    public TorrentOptions Options(params IPEndPoint[] peers) => new()
    {
        Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, Destination)),
        Peers = peers,
        UseTrackers = false,
        LocalAddress = Loopback.NextAddress(),
        NoProgressTimeout = TimeSpan.FromSeconds(40),
    };

    /// <summary>
    /// Starts a seeder of <paramref name="torrent"/>, downloads it from that seeder alone, and checks the download is
    /// complete and byte for byte the seeder's content.
    /// </summary>
    public static async Task<DownloadResult> FromSeederAsync<TSeeder>(TestTorrent torrent, Func<TestTorrent, Task<TSeeder>> start, int seconds = 60)
        where TSeeder : ISeeder
    {
        await using var seeder = await start(torrent);
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);
        var result = await download.CompletionAsync(download.Start(torrent, download.Options(seeder.EndPoint)), seconds);
        download.AssertComplete(result, torrent);
        return result;
    }

    public TorrentRun Start(TestTorrent torrent, TorrentOptions options)
        => Session.Start(torrent.Info, options, _log);

    public TorrentRun Start(MagnetLink magnet, TorrentOptions options, TorrentInfo? knownInfo = null)
        => Session.Start(magnet, options, _log, knownInfo);

    /// <summary>The download's result within <paramref name="seconds"/>; a hang or a failure fails the test with the engine's log.</summary>
    public async Task<DownloadResult> CompletionAsync(TorrentRun torrent, int seconds = 60)
    {
        try
        {
            return await torrent.Completion.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (Exception ex) when (ex is TimeoutException or Engine.Errors.TorrentPSException)
        {
            Assert.Fail($"The download did not complete within {seconds} s ({ex.Message}); status {torrent.Status}\n{Diagnostics()}");
            throw;
        }
    }

    /// <summary>Completed with every piece verified, and the content equal to <paramref name="source"/>'s byte for byte.</summary>
    public void AssertComplete(DownloadResult result, TestTorrent source)
    {
        Assert.True(result.State == TorrentState.Completed, $"{result.State}\n{Diagnostics()}");
        Assert.Equal(source.Info.PieceCount, result.VerifiedPieces);
        TestContent.AssertSame(source.DataPath, ContentPath(source.Info));
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after <paramref name="seconds"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}\n{Diagnostics()}");
            await Task.Delay(25);
        }
    }

    public string Diagnostics()
        => string.Join("\n", _log.Messages.Where(m => !m.Contains(" MB/s, depth ", StringComparison.Ordinal)).TakeLast(200))
           + string.Concat(_diagnostics.Select(d => "\n---\n" + d()));

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        _folder.Dispose();
    }
}
