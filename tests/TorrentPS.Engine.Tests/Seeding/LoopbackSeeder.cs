using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Metainfo;
using TorrentPS.Engine.Tests.Swarm;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>
/// A TorrentPS seeder on 127.0.0.1: its own session listening on a free port, serving a torrent held in memory (all of
/// it, or the pieces the test picks), until stopped. Honest downloaders (other sessions) and fake ones dial it.
/// </summary>
internal sealed class LoopbackSeeder : IAsyncDisposable
{
    private LoopbackSeeder(TorrentInfo info, byte[] content, TorrentSession session, TorrentRun torrent, IPEndPoint endPoint, TestLoggerFactory log)
    {
        Info = info;
        Content = content;
        Session = session;
        Torrent = torrent;
        EndPoint = endPoint;
        Log = log;
    }

    public TorrentInfo Info { get; }

    public byte[] Content { get; }

    public TorrentSession Session { get; }

    public TorrentRun Torrent { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>The seeder's log (close reasons).</summary>
    public TestLoggerFactory Log { get; }

    /// <param name="has">The pieces the seeder has (all when null): it serves them and downloads nothing.</param>
    /// <param name="configure">Changes to the seeder's options (goals, limits).</param>
    /// <param name="session">Changes to the seeder's session before it starts (its limits).</param>
    /// <param name="waitForSeeding">Return once the check is over and it serves (else at once).</param>
    public static async Task<LoopbackSeeder> StartAsync(
        int length = (20 * 16384) + 1000,
        int pieceLength = 4 * 16384,
        Func<int, bool>? has = null,
        Func<TorrentOptions, TorrentOptions>? configure = null,
        Action<TorrentSession>? session = null,
        bool waitForSeeding = true,
        string? announce = null)
    {
        var (info, content) = MakeTorrent("seeded.bin", length, pieceLength, announce);
        var have = Pieces(info.PieceCount, has ?? (_ => true));

        var log = new TestLoggerFactory();
        var seeds = new TorrentSession();
        session?.Invoke(seeds);
        var endPoint = seeds.Listen(IPAddress.Loopback, 0, log);
        var options = SeedOptions(info, content, have) with { UseTrackers = announce is not null };
        var torrent = seeds.Start(info, configure?.Invoke(options) ?? options, log);
        var seeder = new LoopbackSeeder(info, content, seeds, torrent, endPoint, log);
        if (waitForSeeding)
        {
            await seeder.WaitForStateAsync(TorrentState.Seeding, TimeSpan.FromSeconds(10));
        }

        return seeder;
    }

    /// <summary>Seeds a second torrent (all of it) from the same session; returns its metainfo.</summary>
    public async Task<TorrentInfo> SeedAnotherAsync(int length = 8 * 16384)
    {
        var (info, content) = MakeTorrent("another.bin", length, 4 * 16384, null);
        var torrent = Session.Start(info, SeedOptions(info, content, Pieces(info.PieceCount, _ => true)), Log);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (torrent.Status.State != TorrentState.Seeding && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(TorrentState.Seeding, torrent.Status.State);
        return info;
    }

    /// <summary>A fake downloader dialling the seeder (BEP 6 or not).</summary>
    public Task<FakeDownloader> ConnectFakeAsync(bool fast = true, int? receiveBuffer = null)
        => FakeDownloader.ConnectAsync(EndPoint, Info.Hash, fast, receiveBuffer);

    /// <summary>
    /// An honest TorrentPS downloader in a session of its own fetches every piece the seeder has (or the ones
    /// <paramref name="wanted"/> names) and must end Completed with exactly the seeder's bytes.
    /// </summary>
    public async Task<DownloadResult> DownloadAsync(TimeSpan timeout, Func<int, bool>? wanted = null, Func<TorrentOptions, TorrentOptions>? configure = null, TorrentSession? session = null)
    {
        var data = new MemoryTorrentData(Info, Content);
        var options = new TorrentOptions
        {
            Data = _ => data,
            Peers = [EndPoint],
            UseTrackers = false,
            NoProgressTimeout = timeout,
            StopTimeout = TimeSpan.FromSeconds(2),
        };
        if (wanted is not null)
        {
            options = options with { WantedPieces = info => Pieces(info.PieceCount, wanted) };
        }

        var own = session is null ? new TorrentSession() : null;
        try
        {
            var downloaderLog = new TestLoggerFactory();
            var torrent = (session ?? own!).Start(Info, configure?.Invoke(options) ?? options, downloaderLog);
            DownloadResult result;
            try
            {
                result = await torrent.Completion.WaitAsync(timeout + TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is DownloadStalledException or TimeoutException)
            {
                Assert.Fail($"{ex.Message}\n--- downloader\n{string.Join("\n", downloaderLog.Messages)}\n--- seeder\n{string.Join("\n", Log.Messages)}");
                throw;
            }

            Assert.Equal(TorrentState.Completed, result.State);
            for (var i = 0; i < Info.PieceCount; i++)
            {
                if (wanted?.Invoke(i) ?? true)
                {
                    var offset = (int)(i * Info.PieceLength);
                    var piece = (int)Info.GetPieceLength(i);
                    Assert.True(Content.AsSpan(offset, piece).SequenceEqual(data.Content.AsSpan(offset, piece)), $"piece {i} differs from the seeder's");
                }
            }

            return result;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    /// <summary>The bytes of a block of the seeded content.</summary>
    public ReadOnlySpan<byte> Block(int index, int begin, int length) => Content.AsSpan((int)(index * Info.PieceLength) + begin, length);

    public async Task WaitForStateAsync(TorrentState state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Torrent.Status.State != state)
        {
            if (Torrent.Completion.IsCompleted && state is not (TorrentState.Completed or TorrentState.Stopped or TorrentState.Failed))
            {
                throw new InvalidOperationException($"The seeder ended ({Torrent.Status.State}) before reaching {state}: {Torrent.Status.LastError}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The seeder did not reach {state} within {timeout} (it is {Torrent.Status.State}).");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the seeder's status (published every tick) shows <paramref name="count"/> connections.</summary>
    public async Task WaitForPeersAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Torrent.Status.PeersConnected != count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The seeder has {Torrent.Status.PeersConnected} peers, not {count}, after {timeout}.");
            }

            await Task.Delay(20);
        }
    }

    public static Bitfield Pieces(int count, Func<int, bool> has)
    {
        var pieces = new Bitfield(count);
        for (var i = 0; i < count; i++)
        {
            pieces[i] = has(i);
        }

        return pieces;
    }

    public async ValueTask DisposeAsync() => await Session.DisposeAsync();

    private static (TorrentInfo Info, byte[] Content) MakeTorrent(string name, int length, int pieceLength, string? announce)
    {
        var content = TestTorrent.Content(length, seed: length);
        var torrent = TestTorrent.SingleFile(name, content, pieceLength);
        if (announce is not null)
        {
            torrent.Root("announce", TestTorrent.Str(announce));
        }

        return (TorrentInfo.Parse(torrent.ToBytes()), content);
    }

    private static TorrentOptions SeedOptions(TorrentInfo info, byte[] content, Bitfield have) => new()
    {
        Data = _ => new MemoryTorrentData(info, content, have),
        UseTrackers = false,
        DownloadMissing = false,
        AllowPartial = true,
        SeedUntilStopped = true,
        StopTimeout = TimeSpan.FromSeconds(2),
    };
}
