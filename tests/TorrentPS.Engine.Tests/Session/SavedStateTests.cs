using System.Net;
using System.Text.Json;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Seeding;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>The state folder: the torrent list and settings saved atomically, read back by a new session, damage survived.</summary>
public sealed class SavedStateTests
{
    private static TorrentSession NewSession() => new(listen: ListenSettings.AnyPort(IPAddress.Loopback));

    [Fact]
    public async Task A_new_session_lists_the_saved_torrents_with_their_progress_and_starts_none_until_resumed()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var slow = await LoopbackSeeder.StartAsync(length: 40 * 16384, session: s => s.Limits.Upload.BytesPerSecond = 48 * 1024);
        using var folder = HeldTorrents.Folder();
        var state = folder.Sub("state");
        var data = folder.Sub("data");
        long stoppedAt;
        await using (var first = NewSession())
        {
            Assert.Empty(first.OpenState(state));
            first.Limits.MaxConnections = 77;
            await first.ApplyAsync(first.Settings with { MaxConnectionsPerTorrent = 9 });
            var done = first.Start(TransferRequest.Download(seeder.Info, data) with { Peers = [seeder.EndPoint], UseTrackers = false, ResumeInStateFolder = true });
            await done.WaitAsync().WaitAsync(HeldTorrents.Patience);
            var partial = first.Start(TransferRequest.Download(slow.Info, data) with { Peers = [slow.EndPoint], UseTrackers = false, SeedRatio = 0.5 });
            await foreach (var status in partial.WatchStatusAsync().WithCancellation(new CancellationTokenSource(HeldTorrents.Patience).Token))
            {
                if (status.VerifiedPieces >= 1)
                {
                    break;
                }
            }

            await first.CloseAsync(TimeSpan.FromSeconds(10));
            stoppedAt = partial.Status.VerifiedBytes;
        }

        Assert.True(File.Exists(Path.Combine(state, "resume", seeder.Info.Hash.Hex + ".resume")), "a background torrent keeps its resume data in the state folder");
        await using var second = NewSession();
        Assert.Empty(second.OpenState(state));

        var listed = second.Torrents;
        Assert.Equal(2, listed.Count);
        Assert.Equal(0, second.RunningCount);
        Assert.Equal((77, 9), (second.Limits.MaxConnections, second.MaxConnectionsPerTorrent));
        var completed = listed.Single(t => t.Hash == seeder.Info.Hash);
        var stopped = listed.Single(t => t.Hash == slow.Info.Hash);
        Assert.Equal((TorrentState.Completed, 100.0, seeder.Info.Length), (completed.State, completed.Progress, completed.Downloaded));
        Assert.Equal((TorrentState.Stopped, stoppedAt, 0.5), (stopped.State, stopped.Status.VerifiedBytes, stopped.Request.SeedRatio!.Value));
        Assert.Equal(Path.Combine(data, "seeded.bin"), stopped.Destination);

        await second.ApplyAsync(second.Settings with { MaxConnections = 200 });
        stopped.Resume();
        await HeldTorrents.WaitForStateAsync(stopped, TorrentState.Seeding);
        Assert.Equal(slow.Content, await File.ReadAllBytesAsync(Path.Combine(data, "seeded.bin")));
    }

    [Fact]
    public async Task A_request_comes_back_from_the_list_as_it_was_asked()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(waitForSeeding: false);
        var magnet = new Engine.Metainfo.MagnetLink(seeder.Info.Hash, "seeded", ["http://127.0.0.1:1/announce"], [], [], null);
        var request = TransferRequest.Download(magnet, "/tmp/dl") with
        {
            Torrent = seeder.Info,
            Layout = ContentLayout.AtPath,
            Peers = [IPEndPoint.Parse("127.0.0.9:7000")],
            NoProgressTimeout = TimeSpan.FromSeconds(90),
            SeedRatio = 1.5,
            SeedTime = TimeSpan.FromMinutes(3),
            UploadRateLimit = 1000,
            DownloadRateLimit = 2000,
            ResumeInStateFolder = true,
            UseTrackers = false,
            Files = Engine.Storage.FileSelection.FromPriorities([Engine.Storage.FilePriority.High]),
            FileChoice = Engine.Storage.FileChoice.Of(["*.bin", "extras/*"], ["*sample*"]),
            Sequential = true,
            FirstAndLastPiecesFirst = true,
            UseDht = false,
        };
        var saved = new SavedTorrent(request, TorrentState.Stopped, DateTimeOffset.UnixEpoch, 1, 2, 3, 4, "why");
        var problems = new List<string>();

        var read = Assert.Single(SavedTorrentList.Decode(SavedTorrentList.Encode([saved]), (_, _) => seeder.Info, problems));

        Assert.Empty(problems);
        Assert.Equal(saved with { Request = request with { Peers = read.Request.Peers, FileChoice = read.Request.FileChoice } }, read);
        Assert.Equal(request.Peers, read.Request.Peers);
        Assert.Equal(request.FileChoice!.Include, read.Request.FileChoice!.Include);
        Assert.Equal(request.FileChoice.Exclude, read.Request.FileChoice.Exclude);
    }

    [Fact]
    public async Task The_list_is_written_whole_or_not_at_all_and_leaves_no_temporary_file()
    {
        using var folder = HeldTorrents.Folder();
        await using var seeder = await LoopbackSeeder.StartAsync(waitForSeeding: false);
        using var store = SessionStore.Open(folder.Path, new TestLoggerFactory());
        var entry = new SavedTorrent(TransferRequest.Download(seeder.Info, folder.Path), TorrentState.Stopped, DateTimeOffset.UtcNow, 1, 2, 3, 4, null);
        var path = Path.Combine(folder.Path, "torrents.json");
        store.SaveTorrents([entry]);

        using var writing = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                store.SaveTorrents(Enumerable.Repeat(entry with { Downloaded = i }, 1 + (i % 7)).ToArray());
            }
        });
        var reads = 0;
        while (!writer.IsCompleted)
        {
            using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
            Assert.Equal(1, document.RootElement.GetProperty("format").GetInt32());
            reads++;
        }

        await writer;
        Assert.True(reads > 0);
        Assert.DoesNotContain(Directory.EnumerateFiles(folder.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(folder.Path, "metainfo", seeder.Info.Hash.Hex + ".torrent")));
    }

    [Fact]
    public async Task A_damaged_list_is_a_warning_kept_aside_and_the_session_goes_on()
    {
        using var folder = HeldTorrents.Folder();
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "torrents.json"), "{\"format\": 1, \"torrents\": [ {\"infoHash\": ");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "session.json"), "not json");
        await using var session = NewSession();

        var problems = session.OpenState(folder.Path);

        Assert.Equal(2, problems.Count);
        Assert.Empty(session.Torrents);
        Assert.True(File.Exists(Path.Combine(folder.Path, "torrents.json.damaged")));
        Assert.Equal(ListenSettings.AnyPort(IPAddress.Loopback), session.ListenSettings);
    }

    [Fact]
    public async Task An_entry_that_cannot_be_used_is_skipped_and_the_others_are_read()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(waitForSeeding: false);
        using var folder = HeldTorrents.Folder();
        using (var store = SessionStore.Open(folder.Path, new TestLoggerFactory()))
        {
            store.SaveTorrents([new SavedTorrent(TransferRequest.Download(seeder.Info, folder.Path), TorrentState.Completed, DateTimeOffset.UtcNow, 5, 6, 7, 8, null)]);
        }

        var path = Path.Combine(folder.Path, "torrents.json");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("\"torrents\": [", "\"torrents\": [ {\"infoHash\": \"zz\"},", StringComparison.Ordinal));
        await using var session = NewSession();

        var problems = session.OpenState(folder.Path);

        Assert.Single(problems);
        var torrent = Assert.Single(session.Torrents);
        Assert.Equal((TorrentState.Completed, 5L, 6L), (torrent.State, torrent.Downloaded, torrent.Uploaded));
    }

    [Fact]
    public async Task A_folder_another_session_holds_is_neither_read_nor_written()
    {
        using var folder = HeldTorrents.Folder();
        await using var owner = NewSession();
        owner.OpenState(folder.Path);
        await using var other = NewSession();

        other.OpenState(folder.Path);

        Assert.False(owner.StateInUseElsewhere);
        Assert.True(other.StateInUseElsewhere);
        Assert.Equal(folder.Path, other.GetStatus().StatePath);
    }
}
