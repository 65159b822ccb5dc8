using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Seeding;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// The torrents a session holds: kept after their runs end, never run twice, paused with nothing moving, resumed from
/// their resume data, stopped and removed; their events raised off the loop's thread.
/// </summary>
public sealed class HeldTorrentTests
{
    private static TorrentSession NewSession() => new(listen: ListenSettings.AnyPort(IPAddress.Loopback));

    [Fact]
    public async Task A_download_stays_held_when_it_completes_and_a_piece_fetch_leaves_when_it_ends()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();

        var torrent = session.Start(Download(seeder, folder.Path));
        var result = await torrent.WaitAsync().WaitAsync(HeldTorrents.Patience);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Same(torrent, Assert.Single(session.Torrents));
        Assert.Equal((TorrentState.Completed, 100.0, seeder.Info.Length), (torrent.State, torrent.Progress, torrent.Length));
        Assert.Equal(seeder.Content, await File.ReadAllBytesAsync(Path.Combine(folder.Path, "seeded.bin")));
        Assert.False(torrent.IsRunning);

        var pieceFile = Path.Combine(folder.Path, "piece0");
        var fetch = session.Start(TransferRequest.Pieces(seeder.Info, new Dictionary<int, string> { [0] = pieceFile }) with { Peers = [seeder.EndPoint], UseTrackers = false });
        Assert.NotSame(torrent, fetch);
        Assert.Equal(TorrentState.Completed, (await fetch.WaitAsync().WaitAsync(HeldTorrents.Patience)).State);
        Assert.Same(torrent, Assert.Single(session.Torrents));
    }

    [Fact]
    public async Task A_second_start_into_the_same_place_attaches_and_anything_else_is_TorrentAlreadyRunning()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(waitForSeeding: false);
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();
        var request = TransferRequest.Download(seeder.Info, folder.Path) with { UseTrackers = false };

        var first = session.Start(request, null, out var firstAttached);
        await HeldTorrents.WaitForStateAsync(first, TorrentState.Downloading);
        var second = session.Start(request with { NoProgressTimeout = TimeSpan.FromMinutes(1) }, null, out var secondAttached);

        Assert.False(firstAttached);
        Assert.True(secondAttached);
        Assert.Same(first, second);
        Assert.Equal("TorrentAlreadyRunning", Assert.Throws<TorrentPSException>(() => session.Start(request with { Destination = folder.Sub("elsewhere") })).ErrorId);
        Assert.Equal("TorrentAlreadyRunning", Assert.Throws<TorrentPSException>(() => session.Start(TransferRequest.Pieces(seeder.Info, new Dictionary<int, string> { [0] = Path.Combine(folder.Path, "p") }))).ErrorId);
        Assert.Single(session.Torrents);
    }

    [Fact]
    public async Task Suspend_closes_every_connection_and_moves_no_byte_until_resume_continues_from_the_resume_data()
    {
        // 64 KiB pieces at 48 KiB/s: the download takes several seconds, so it can be caught in the middle.
        await using var seeder = await LoopbackSeeder.StartAsync(session: s => s.Limits.Upload.BytesPerSecond = 48 * 1024);
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();
        var torrent = session.Start(Download(seeder, folder.Path));
        await WaitForStatusAsync(torrent, s => s.VerifiedPieces >= 2);

        await torrent.SuspendAsync().WaitAsync(HeldTorrents.Patience);

        Assert.Equal((TorrentState.Paused, false, 0), (torrent.State, torrent.IsRunning, torrent.Peers));
        var downloaded = torrent.Downloaded;
        var verified = torrent.Status.VerifiedBytes;
        Assert.True(verified > 0 && verified < seeder.Info.Length, $"verified {verified} of {seeder.Info.Length}");

        // The seeder's loop publishes a snapshot every tick: over several of them the peer is gone and nothing is sent.
        var uploaded = -1L;
        var ticks = 0;
        await foreach (var status in seeder.Torrent.WatchStatusAsync().WithCancellation(new CancellationTokenSource(HeldTorrents.Patience).Token))
        {
            if (status.PeersConnected > 0)
            {
                continue;
            }

            if (uploaded < 0)
            {
                uploaded = status.Uploaded;
            }

            Assert.Equal(uploaded, status.Uploaded);
            if (++ticks == 4)
            {
                break;
            }
        }

        Assert.Equal((downloaded, TorrentState.Paused), (torrent.Downloaded, torrent.State));

        torrent.Resume();
        var result = await torrent.WaitAsync().WaitAsync(HeldTorrents.Patience);

        Assert.Equal(TorrentState.Completed, result.State);
        Assert.True(result.Downloaded < seeder.Info.Length, $"the resumed run fetched {result.Downloaded} bytes of {seeder.Info.Length}: it did not trust the resume data");
        Assert.Equal(downloaded + result.Downloaded, torrent.Downloaded);
        Assert.Equal(seeder.Content, await File.ReadAllBytesAsync(Path.Combine(folder.Path, "seeded.bin")));
    }

    [Fact]
    public async Task Stop_from_another_thread_ends_a_foreground_wait_with_Stopped_and_the_torrent_stays_listed()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(waitForSeeding: false);
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();
        var torrent = session.Start(TransferRequest.Download(seeder.Info, folder.Path) with { UseTrackers = false });
        await HeldTorrents.WaitForStateAsync(torrent, TorrentState.Downloading);
        var waiting = torrent.RunAsync(CancellationToken.None);

        await Task.Run(() => torrent.StopAsync());
        var result = await waiting.WaitAsync(HeldTorrents.Patience);

        Assert.Equal(TorrentState.Stopped, result.State);
        Assert.Equal(TorrentState.Stopped, Assert.Single(session.Torrents).State);
    }

    [Fact]
    public async Task Cancelling_a_foreground_run_stops_the_torrent_but_cancelling_a_wait_does_not()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(waitForSeeding: false);
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();
        var torrent = session.Start(TransferRequest.Download(seeder.Info, folder.Path) with { UseTrackers = false });
        await HeldTorrents.WaitForStateAsync(torrent, TorrentState.Downloading);

        using (var waitOnly = new CancellationTokenSource())
        {
            var waiting = torrent.WaitAsync(waitOnly.Token);
            await waitOnly.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        Assert.True(torrent.IsRunning);
        using var ctrlC = new CancellationTokenSource();
        var running = torrent.RunAsync(ctrlC.Token);
        await ctrlC.CancelAsync();

        Assert.Equal(TorrentState.Stopped, (await running.WaitAsync(HeldTorrents.Patience)).State);
    }

    [Fact]
    public async Task Events_tell_the_states_and_the_completion_once_and_are_raised_off_the_loop_thread()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();
        var states = new List<TorrentState>();
        var threads = new List<string?>();
        var completed = 0;
        var torrent = session.Start(Download(seeder, folder.Path) with { SeedTime = TimeSpan.FromMilliseconds(1) }, null, out _);
        torrent.StateChanged += (_, e) =>
        {
            lock (states)
            {
                states.Add(e.State);
                threads.Add(Thread.CurrentThread.Name);
            }
        };
        torrent.Completed += (_, e) =>
        {
            Interlocked.Increment(ref completed);
            lock (states)
            {
                threads.Add(Thread.CurrentThread.Name);
            }
        };

        await torrent.WaitAsync().WaitAsync(HeldTorrents.Patience);

        lock (states)
        {
            Assert.Equal(TorrentState.Completed, states[^1]);
            Assert.Equal(states.Count, states.Distinct().Count());
            Assert.DoesNotContain(threads, name => name?.StartsWith("TorrentPS torrent", StringComparison.Ordinal) == true);
        }

        Assert.Equal(1, completed);
    }

    [Fact]
    public async Task Remove_with_data_deletes_the_files_and_the_resume_data_and_forgets_the_torrent()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        using var folder = HeldTorrents.Folder();
        await using var session = NewSession();
        var torrent = session.Start(Download(seeder, folder.Path));
        await torrent.WaitAsync().WaitAsync(HeldTorrents.Patience);
        var resume = torrent.Request.ResumePath(null)!;
        Assert.True(File.Exists(resume));

        var notDeleted = await session.RemoveAsync(torrent, deleteData: true);

        Assert.Empty(notDeleted);
        Assert.Empty(session.Torrents);
        Assert.False(File.Exists(Path.Combine(folder.Path, "seeded.bin")));
        Assert.False(File.Exists(resume));
        Assert.Equal("TorrentNotFound", (await Assert.ThrowsAsync<TorrentPSException>(() => session.RemoveAsync(torrent))).ErrorId);
    }

    [Fact]
    public async Task A_magnet_link_started_again_takes_its_metadata_from_the_resume_data()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        using var folder = HeldTorrents.Folder();
        var magnet = new MagnetLink(seeder.Info.Hash, "seeded", [], [seeder.EndPoint.ToString()], [], null);
        TorrentInfo? received = null;
        await using (var first = NewSession())
        {
            var torrent = first.Start(TransferRequest.Download(magnet, folder.Path) with { UseTrackers = false });
            torrent.MetadataReceived += (_, e) => received = e.Info;
            Assert.Equal(TorrentState.Completed, (await torrent.WaitAsync().WaitAsync(HeldTorrents.Patience)).State);
        }

        await using var second = NewSession();
        var again = second.Start(TransferRequest.Download(magnet, folder.Path) with { UseTrackers = false, Peers = [] });

        Assert.Equal(seeder.Info.Hash, received?.Hash);
        Assert.NotNull(again.Info);
        Assert.Equal("seeded.bin", again.Name);
        Assert.Equal(TorrentState.Completed, (await again.WaitAsync().WaitAsync(HeldTorrents.Patience)).State);
    }

    private static TransferRequest Download(LoopbackSeeder seeder, string folder)
        => TransferRequest.Download(seeder.Info, folder) with { Peers = [seeder.EndPoint], UseTrackers = false };

    private static async Task WaitForStatusAsync(Torrent torrent, Func<TorrentStatus, bool> condition)
    {
        using var patience = new CancellationTokenSource(HeldTorrents.Patience);
        await foreach (var status in torrent.WatchStatusAsync(patience.Token))
        {
            if (condition(status))
            {
                return;
            }
        }

        Assert.Fail($"{torrent.Name} ended ({torrent.State}) before its status matched");
    }
}
