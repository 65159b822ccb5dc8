using Xunit.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// Choosing files against a python3-libtorrent seeder of torrents made by mktorrent: only the chosen files arrive, byte
/// for byte, with pieces that straddle a chosen and a skipped file; a selection changed between two runs fetches the
/// newly chosen file using the part file's bytes; a priority changed on a running download re-plans it; and a
/// sequential download's prefix grows in order, sampled from the status snapshots as they come.
/// </summary>
public sealed class SelectiveDownloadTests(ITestOutputHelper output)
{
    private const int PieceLength = 32 * 1024;

    // No boundary between files falls on a piece boundary: every neighbour shares a piece.
    private static readonly (string Path, int Length)[] Tree =
    [
        ("a.bin", 1_000_003),
        ("b/middle.bin", 1_500_001),
        ("c.bin", 800_007),
        ("d.bin", 500_009),
    ];

    private static async Task<TestTorrent> MktorrentAsync(TempDirectory folder)
    {
        var data = folder.Combine("data");
        var root = TestContent.CreateTree(data, "selective", Tree);
        var torrentPath = folder.Combine("selective.torrent");
        await Mktorrent.CreateAsync(root, torrentPath, new MktorrentOptions { PieceLengthExponent = 15 });
        var torrent = TestTorrent.Load(data, torrentPath);
        Assert.Equal(PieceLength, torrent.Info.PieceLength);
        Assert.Equal(Tree.Select(f => f.Path), torrent.Info.Files.Select(f => f.Path));
        return torrent;
    }

    private static TorrentOptions Choosing(InteropDownload download, LibtorrentSeeder seeder, FileChoice files)
        => download.Options(seeder.EndPoint) with { Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, download.Destination), selection: files.Resolve(info)) };

    private static string Source(TestTorrent torrent, int file) => Path.Combine([torrent.DataPath, .. Tree[file].Path.Split('/')]);

    private static string Downloaded(InteropDownload download, TestTorrent torrent, int file) => Path.Combine([download.ContentPath(torrent.Info), .. Tree[file].Path.Split('/')]);

    private static void AssertFile(InteropDownload download, TestTorrent torrent, int file)
        => TestContent.AssertSame(Source(torrent, file), Downloaded(download, torrent, file));

    private static void AssertAbsent(InteropDownload download, TestTorrent torrent, int file)
        => Assert.False(File.Exists(Downloaded(download, torrent, file)), $"{Tree[file].Path} was not chosen but exists");

    /// <summary>The pieces holding bytes of file <paramref name="file"/>.</summary>
    private static (int First, int Last) Pieces(TorrentInfo info, int file)
    {
        var f = info.Files[file];
        return ((int)(f.Offset / info.PieceLength), (int)((f.Offset + f.Length - 1) / info.PieceLength));
    }

    private static int VerifiedIn(TorrentRun torrent, (int First, int Last) pieces)
    {
        var verified = torrent.Pieces.Current!.Verified;
        var count = 0;
        for (var i = pieces.First; i <= pieces.Last; i++)
        {
            count += verified.Contains(i) ? 1 : 0;
        }

        return count;
    }

    [Fact]
    public async Task The_chosen_files_arrive_byte_for_byte_and_the_skipped_files_are_never_created()
    {
        using var folder = new TempDirectory("tps-sel");
        var torrent = await MktorrentAsync(folder);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);

        var result = await download.CompletionAsync(download.Start(torrent, Choosing(download, seeder, FileChoice.Of(["b/*", "d.bin"]))));

        Assert.True(result.State == TorrentState.Completed, download.Diagnostics());
        AssertFile(download, torrent, 1);
        AssertFile(download, torrent, 3);
        AssertAbsent(download, torrent, 0);
        AssertAbsent(download, torrent, 2);
        Assert.Equal([Downloaded(download, torrent, 1), Downloaded(download, torrent, 3)], result.Files);
        Assert.True(result.VerifiedPieces < torrent.Info.PieceCount);
    }

    [Fact]
    public async Task A_file_chosen_in_a_second_run_is_fetched_with_the_bytes_the_part_file_kept()
    {
        using var folder = new TempDirectory("tps-sel-2");
        var torrent = await MktorrentAsync(folder);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);

        var first = await download.CompletionAsync(download.Start(torrent, Choosing(download, seeder, FileChoice.Of(["b/middle.bin"]))));
        var second = await download.CompletionAsync(download.Start(torrent, Choosing(download, seeder, FileChoice.Of(["a.bin", "b/middle.bin"]))));

        Assert.Equal((TorrentState.Completed, TorrentState.Completed), (first.State, second.State));
        AssertFile(download, torrent, 0);
        AssertFile(download, torrent, 1);
        AssertAbsent(download, torrent, 2);

        // a.bin's last piece is the one it shares with b/middle.bin: the first run fetched it and kept a.bin's bytes of it
        // in the part file, so the second run fetches only a.bin's other pieces.
        var (aFirst, aLast) = Pieces(torrent.Info, 0);
        Assert.Equal(aLast, Pieces(torrent.Info, 1).First);
        long others = (aLast - aFirst) * PieceLength;
        output.WriteLine($"second run: {second.Downloaded} bytes for a.bin's {aLast - aFirst} unshared pieces ({others} bytes)");
        Assert.InRange(second.Downloaded, others, others + PieceLength - 1);
    }

    [Fact]
    public async Task A_priority_changed_on_a_running_download_re_plans_it()
    {
        using var folder = new TempDirectory("tps-sel-prio");
        var torrent = await MktorrentAsync(folder);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = 1024 * 1024 });
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);
        var running = download.Start(torrent, Choosing(download, seeder, FileChoice.Everything));
        var a = Pieces(torrent.Info, 0);
        var c = Pieces(torrent.Info, 2);
        var d = Pieces(torrent.Info, 3);
        await download.WaitUntilAsync(() => running.Status.VerifiedPieces >= 4, "4 pieces are verified");

        // d.bin first, a.bin not at all: a.bin's pieces in progress are dropped, d.bin's come next.
        var selection = await running.ChangeSelectionAsync(s => s.WithPriority(3, FilePriority.High).WithPriority(0, FilePriority.Skip)).WaitAsync(TimeSpan.FromSeconds(30));
        var aAtChange = VerifiedIn(running, a);
        await download.WaitUntilAsync(() => VerifiedIn(running, d) == d.Last - d.First + 1, "d.bin is complete", seconds: 60);
        var cWhenDIsDone = VerifiedIn(running, c);
        var result = await download.CompletionAsync(running);

        output.WriteLine($"{selection}; a.bin had {aAtChange} pieces at the change; c.bin had {cWhenDIsDone} of {c.Last - c.First + 1} when d.bin completed; {result.Downloaded} bytes downloaded");
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.True(cWhenDIsDone <= (c.Last - c.First + 1) / 2, $"c.bin had {cWhenDIsDone} pieces when the high-priority d.bin completed\n{download.Diagnostics()}");
        Assert.True(VerifiedIn(running, (a.First, a.Last - 1)) < a.Last - a.First, "a.bin was skipped before it was complete");
        AssertFile(download, torrent, 1);
        AssertFile(download, torrent, 2);
        AssertFile(download, torrent, 3);
        Assert.Equal([Downloaded(download, torrent, 1), Downloaded(download, torrent, 2), Downloaded(download, torrent, 3)], result.Files);
        Assert.True(result.Downloaded < torrent.Info.Length);
    }

    [Fact]
    public async Task A_sequential_download_grows_its_prefix_in_order()
    {
        using var folder = new TempDirectory("tps-sel-seq");
        var torrent = TestTorrent.Create(folder.Path, "sequential.bin", length: (8 * 1024 * 1024) + 777, pieceLength: 64 * 1024);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = 2 * 1024 * 1024 });
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);
        // Memory for 24 pieces in progress: a window of at most 24 of the 129 pieces.
        var options = download.Options(seeder.EndPoint) with { Sequential = true, MaxBufferedBytes = 24 * 64 * 1024 };
        var running = download.Start(torrent, options);
        var count = torrent.Info.PieceCount;

        // Each status snapshot (a few a second) is a sample: when each piece was first seen verified, the prefix then,
        // and the widest window the picker used.
        var firstSeen = Enumerable.Repeat(int.MaxValue, count).ToArray();
        var prefixes = new List<int>();
        var widest = 0;
        var sample = 0;
        await foreach (var status in running.WatchStatusAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
        {
            if (running.Pieces.Current is not { } context)
            {
                continue;
            }

            widest = Math.Max(widest, running.SequentialWindow);
            var prefix = 0;
            for (var i = 0; i < count; i++)
            {
                if (context.Verified.Contains(i))
                {
                    firstSeen[i] = Math.Min(firstSeen[i], sample);
                    prefix += prefix == i ? 1 : 0;
                }
            }

            prefixes.Add(prefix);
            sample++;
        }

        var result = await download.CompletionAsync(running);
        download.AssertComplete(result, torrent);
        output.WriteLine($"{sample} samples, widest window {widest} pieces, prefixes {string.Join(' ', prefixes)}");
        Assert.True(sample >= 4, "the download was sampled while it ran");
        Assert.True(prefixes.SequenceEqual(prefixes.Order()), "the prefix never shrinks");
        Assert.True(widest is > 0 and <= 24, $"window {widest}");

        // Nothing past the window from a missing piece starts before that piece is here: a piece the widest window or
        // more past another is never seen verified before it.
        for (var i = 0; i + widest < count; i++)
        {
            Assert.True(firstSeen[i] <= firstSeen[i + widest], $"piece {i + widest} was seen verified (sample {firstSeen[i + widest]}) before piece {i} (sample {firstSeen[i]})");
        }

        // And the prefix grew while the download ran, not only at its end.
        Assert.Contains(prefixes, p => p > count / 4 && p < count * 3 / 4);
    }
}
