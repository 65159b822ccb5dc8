using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Metainfo;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Creation;

public sealed class TorrentCreatorTests
{
    private const int KiB = 1024;

    /// <summary>Small reads on four threads from the first byte: every run boundary and the parallel path get exercised.</summary>
    private static readonly TorrentCreator Parallel = new(new TorrentVerifierOptions { ReadSize = 16 * KiB, ParallelThreshold = 0, MaxParallelism = 4 });

    private static readonly TorrentCreator OneThread = new(new TorrentVerifierOptions { ReadSize = 64 * KiB, MaxParallelism = 1 });

    private static Task<CreatedTorrent> Create(string path, TorrentCreationOptions? options = null, TorrentCreator? creator = null)
        => (creator ?? Parallel).CreateAsync(path, options ?? new TorrentCreationOptions { NoCreationDate = true }, null, CancellationToken.None);

    private static BencodeDictionary Info(CreatedTorrent created) => (BencodeDictionary)BencodeDecoder.Decode(created.Torrent.GetRawInfo());

    private static BencodeDictionary Root(CreatedTorrent created) => (BencodeDictionary)BencodeDecoder.Decode(created.GetBytes());

    private static async Task AssertVerifiesAsync(CreatedTorrent created, string dataFolder)
    {
        var result = await new TorrentVerifier().VerifyAsync(created.Torrent, ContentLocation.InFolder(created.Torrent, dataFolder), null, CancellationToken.None);
        Assert.True(result.IsComplete, $"{result.ValidPieceCount}/{result.PieceCount} pieces valid");
    }

    [Fact]
    public async Task A_single_file_becomes_a_v1_torrent_whose_pieces_are_the_SHA1_of_its_pieces()
    {
        using var content = new ContentFolder();
        var bytes = content.Write("movie.bin", (5 * 16 * KiB) + 123);

        var created = await Create(content.PathOf("movie.bin"), new TorrentCreationOptions { PieceLength = 16 * KiB, NoCreationDate = true });

        var torrent = created.Torrent;
        Assert.Equal(("movie.bin", bytes.Length, 16L * KiB, 6), (torrent.Name, torrent.Length, torrent.PieceLength, torrent.PieceCount));
        Assert.False(torrent.IsMultiFile);
        Assert.False(torrent.IsHybrid);
        Assert.Null(torrent.InfoHashV2);
        Assert.Equal(TestTorrent.PieceHashes(bytes, 16 * KiB), Info(created).Get<BencodeString>("pieces")!.Bytes.ToArray());
        Assert.Equal(["length", "name", "piece length", "pieces"], Info(created).Keys.Select(k => k.Text));
        await AssertVerifiesAsync(created, content.Root);
    }

    [Fact]
    public async Task A_folder_becomes_a_multi_file_torrent_in_path_order_with_its_empty_files_and_verifies()
    {
        using var content = new ContentFolder();
        content.Write("album/b/two.bin", 40_000, 2);
        content.Write("album/a.bin", 30_000, 1);
        content.Write("album/empty.txt", []);
        content.Write("album/z.bin", 1, 3);

        var created = await Create(content.PathOf("album"), new TorrentCreationOptions { PieceLength = 16 * KiB, NoCreationDate = true });

        var torrent = created.Torrent;
        Assert.True(torrent.IsMultiFile);
        Assert.Equal(["a.bin", "b/two.bin", "empty.txt", "z.bin"], torrent.Files.Select(f => f.Path));
        Assert.Equal([30_000L, 40_000, 0, 1], torrent.Files.Select(f => f.Length));
        Assert.DoesNotContain(torrent.Files, f => f.IsPadding);
        var concatenated = torrent.Files.SelectMany(f => File.ReadAllBytes(content.PathOf("album/" + f.Path))).ToArray();
        Assert.Equal(TestTorrent.PieceHashes(concatenated, 16 * KiB), Info(created).Get<BencodeString>("pieces")!.Bytes.ToArray());
        await AssertVerifiesAsync(created, content.Root);
    }

    [Fact]
    public async Task A_folder_holding_one_file_is_still_a_multi_file_torrent_as_mktorrent_and_libtorrent_make_it()
    {
        using var content = new ContentFolder();
        content.Write("folder/only.bin", 1000);

        var torrent = (await Create(content.PathOf("folder"))).Torrent;

        Assert.True(torrent.IsMultiFile);
        Assert.Equal(("folder", "only.bin"), (torrent.Name, torrent.Files.Single().Path));
    }

    [Fact]
    public async Task Every_option_lands_where_BEP_3_12_19_and_27_put_it()
    {
        using var content = new ContentFolder();
        content.Write("data.bin", 1000);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var creator = new TorrentCreator(time: time);
        var options = new TorrentCreationOptions
        {
            TrackerTiers = [["http://127.0.0.1:1/announce", " udp://127.0.0.1:2 ", ""], [], ["http://127.0.0.1:3/announce"]],
            WebSeeds = ["http://127.0.0.1:4/files/", "  "],
            IsPrivate = true,
            Comment = "a comment",
            Source = "TPS",
            CreatedBy = "someone",
        };

        var created = await creator.CreateAsync(content.PathOf("data.bin"), options, null, CancellationToken.None);

        var torrent = created.Torrent;
        Assert.Equal("http://127.0.0.1:1/announce", torrent.Announce);
        Assert.Equal([["http://127.0.0.1:1/announce", "udp://127.0.0.1:2"], ["http://127.0.0.1:3/announce"]], torrent.TrackerTiers);
        Assert.Equal(["http://127.0.0.1:4/files/"], torrent.WebSeeds);
        Assert.True(torrent.IsPrivate);
        Assert.Equal(("a comment", "someone", "TPS"), (torrent.Comment, torrent.CreatedBy, torrent.Source));
        Assert.Equal(time.GetUtcNow(), torrent.CreationDate);
        Assert.Equal(1, Info(created).Get<BencodeInteger>("private")!.Value);
        Assert.Equal("TPS", Info(created).Get<BencodeString>("source")!.Text);
        Assert.Equal(["announce", "announce-list", "comment", "created by", "creation date", "info", "url-list"], Root(created).Keys.Select(k => k.Text));
    }

    [Fact]
    public async Task By_default_TorrentPS_is_the_creator_and_now_the_date_and_both_can_be_left_out()
    {
        using var content = new ContentFolder();
        content.Write("data.bin", 1000);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero));

        var defaults = await new TorrentCreator(time: time).CreateAsync(content.PathOf("data.bin"), null, null, CancellationToken.None);
        var bare = await Create(content.PathOf("data.bin"), new TorrentCreationOptions { NoCreationDate = true, CreatedBy = null });

        Assert.Equal((TorrentCreationOptions.DefaultCreatedBy, time.GetUtcNow()), (defaults.Torrent.CreatedBy, defaults.Torrent.CreationDate));
        Assert.StartsWith("TorrentPS ", TorrentCreationOptions.DefaultCreatedBy, StringComparison.Ordinal);
        Assert.Null(bare.Torrent.CreatedBy);
        Assert.Null(bare.Torrent.CreationDate);
        Assert.Equal(["info"], Root(bare).Keys.Select(k => k.Text));
        Assert.Equal(defaults.Torrent.Hash, bare.Torrent.Hash); // none of them is in the info dictionary
    }

    [Fact]
    public async Task Without_a_creation_date_the_same_files_make_the_same_bytes_whatever_the_threads()
    {
        using var content = new ContentFolder();
        content.Write("set/a.bin", 300_000, 1);
        content.Write("set/b/c.bin", 70_001, 2);
        var options = new TorrentCreationOptions { NoCreationDate = true, Version = TorrentVersion.Hybrid, PieceLength = 32 * KiB };

        var parallel = await Create(content.PathOf("set"), options, Parallel);
        var sequential = await Create(content.PathOf("set"), options, OneThread);

        Assert.Equal(parallel.GetBytes(), sequential.GetBytes());
    }

    [Fact]
    public async Task The_created_torrent_written_again_is_the_same_bytes_piece_layers_included()
    {
        using var content = new ContentFolder();
        content.Write("set/big.bin", 200_000, 1);
        content.Write("set/small.bin", 500, 2);

        foreach (var version in new[] { TorrentVersion.V1, TorrentVersion.Hybrid })
        {
            var created = await Create(content.PathOf("set"), new TorrentCreationOptions { Version = version, PieceLength = 16 * KiB, TrackerTiers = [["http://127.0.0.1:1/a"]] });
            Assert.Equal(created.GetBytes(), TorrentFileWriter.Encode(created.Torrent));
            Assert.Equal(created.GetBytes(), TorrentFileWriter.Encode(TorrentInfo.Parse(created.GetBytes())));
        }
    }

    [Fact]
    public async Task The_torrent_file_to_be_written_inside_the_shared_folder_is_not_content()
    {
        using var content = new ContentFolder();
        content.Write("share/a.bin", 1000, 1);
        content.Write("share/share.torrent", 500, 2); // an earlier version, about to be replaced
        content.Write("share/other.torrent", 10, 3);

        var created = await Create(content.PathOf("share"), new TorrentCreationOptions { OutputPath = content.PathOf("share/share.torrent") });

        Assert.Equal(["a.bin", "other.torrent"], created.Torrent.Files.Select(f => f.Path));
        Assert.Empty(created.Skipped);
    }

    [Fact]
    public async Task The_piece_length_is_chosen_by_the_rule_when_not_given()
    {
        using var content = new ContentFolder();
        content.Write("data.bin", 3 * 1024 * 1024);

        var torrent = (await Create(content.PathOf("data.bin"))).Torrent;

        Assert.Equal(PieceLengthRule.Automatic(3 * 1024 * 1024), torrent.PieceLength);
        Assert.Equal(32L * KiB, torrent.PieceLength);
    }

    [Fact]
    public async Task A_hybrid_single_file_has_a_file_tree_with_its_merkle_root_a_piece_layer_and_no_padding()
    {
        using var content = new ContentFolder();
        var bytes = content.Write("movie.bin", (3 * 32 * KiB) + 5000);

        var created = await Create(content.PathOf("movie.bin"), new TorrentCreationOptions { Version = TorrentVersion.Hybrid, PieceLength = 32 * KiB, NoCreationDate = true });

        var torrent = created.Torrent;
        var info = Info(created);
        Assert.True(torrent.IsHybrid);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(torrent.GetRawInfo().Span)).ToLowerInvariant(), torrent.InfoHashV2);
        Assert.Equal(2, info.Get<BencodeInteger>("meta version")!.Value);
        Assert.Equal(TestTorrent.PieceHashes(bytes, 32 * KiB), info.Get<BencodeString>("pieces")!.Bytes.ToArray());
        Assert.Single(torrent.Files);
        var leaf = (BencodeDictionary)((BencodeDictionary)info.Get<BencodeDictionary>("file tree")!.Get<BencodeDictionary>("movie.bin")!)[0].Value;
        Assert.Equal(bytes.Length, leaf.Get<BencodeInteger>("length")!.Value);
        var root = leaf.Get<BencodeString>("pieces root")!.Bytes.ToArray();
        Assert.Equal(ReferenceMerkle.FileRoot(bytes), root);
        var layers = Root(created).Get<BencodeDictionary>("piece layers")!;
        Assert.Equal(ReferenceMerkle.PieceLayer(bytes, 32 * KiB), layers.Single(e => e.Key.Span.SequenceEqual(root)).Value is BencodeString s ? s.Bytes.ToArray() : null);
        await AssertVerifiesAsync(created, content.Root);
    }

    [Fact]
    public async Task A_hybrid_folder_pads_every_file_to_a_piece_boundary_the_last_too_but_not_after_empty_or_aligned_files()
    {
        using var content = new ContentFolder();
        var a = content.Write("set/a.bin", 40_000, 1);
        content.Write("set/aligned.bin", 32 * KiB, 2);
        content.Write("set/empty.txt", []);
        var b = content.Write("set/sub/b.bin", 16_385, 3);
        var z = content.Write("set/z.bin", 100, 4);

        var created = await Create(content.PathOf("set"), new TorrentCreationOptions { Version = TorrentVersion.Hybrid, PieceLength = 32 * KiB, NoCreationDate = true });

        var files = created.Torrent.Files;
        Assert.Equal(
            ["a.bin", ".pad/25536", "aligned.bin", "empty.txt", "sub/b.bin", ".pad/16383", "z.bin", ".pad/32668"],
            files.Select(f => f.Path));
        Assert.Equal([false, true, false, false, false, true, false, true], files.Select(f => f.IsPadding));
        Assert.All(files.Where(f => f.IsPadding), f => Assert.Equal("p", f.Attributes));
        Assert.All(files.Where(f => f.Length > 0 && !f.IsPadding), f => Assert.Equal(0, f.Offset % (32 * KiB)));
        Assert.Equal(0, created.Torrent.Length % (32 * KiB));

        var tree = Info(created).Get<BencodeDictionary>("file tree")!;
        Assert.Equal(["a.bin", "aligned.bin", "empty.txt", "sub", "z.bin"], tree.Keys.Select(k => k.Text));
        var empty = (BencodeDictionary)tree.Get<BencodeDictionary>("empty.txt")![0].Value;
        Assert.Equal(["length"], empty.Keys.Select(k => k.Text)); // an empty file has no root
        var subB = (BencodeDictionary)tree.Get<BencodeDictionary>("sub")!.Get<BencodeDictionary>("b.bin")![0].Value;
        Assert.Equal(ReferenceMerkle.FileRoot(b), subB.Get<BencodeString>("pieces root")!.Bytes.ToArray());
        var zLeaf = (BencodeDictionary)tree.Get<BencodeDictionary>("z.bin")![0].Value;
        Assert.Equal(ReferenceMerkle.FileRoot(z), zLeaf.Get<BencodeString>("pieces root")!.Bytes.ToArray());

        // Only a.bin is larger than a piece: one layer (aligned.bin is exactly one piece).
        var layers = Root(created).Get<BencodeDictionary>("piece layers")!;
        var only = Assert.Single(layers);
        Assert.Equal(ReferenceMerkle.FileRoot(a), only.Key.Bytes.ToArray());
        Assert.Equal(ReferenceMerkle.PieceLayer(a, 32 * KiB), ((BencodeString)only.Value).Bytes.ToArray());
        await AssertVerifiesAsync(created, content.Root);
    }

    [Fact]
    public async Task Files_of_identical_content_share_one_piece_layer()
    {
        using var content = new ContentFolder();
        var bytes = content.Write("twins/one.bin", 100_000, 7);
        content.Write("twins/two.bin", bytes);

        var created = await Create(content.PathOf("twins"), new TorrentCreationOptions { Version = TorrentVersion.Hybrid, PieceLength = 16 * KiB });

        Assert.Single(Root(created).Get<BencodeDictionary>("piece layers")!);
    }

    [Fact]
    public async Task Pieces_larger_than_a_read_are_hashed_across_reads()
    {
        using var content = new ContentFolder();
        var bytes = content.Write("set/a.bin", (3 * 256 * KiB) + 777, 1);
        content.Write("set/b.bin", 20_000, 2);

        var created = await Create(content.PathOf("set"), new TorrentCreationOptions { Version = TorrentVersion.Hybrid, PieceLength = 256 * KiB });

        var tree = Info(created).Get<BencodeDictionary>("file tree")!;
        var aLeaf = (BencodeDictionary)tree.Get<BencodeDictionary>("a.bin")![0].Value;
        Assert.Equal(ReferenceMerkle.FileRoot(bytes), aLeaf.Get<BencodeString>("pieces root")!.Bytes.ToArray());
        await AssertVerifiesAsync(created, content.Root);
    }

    [Fact]
    public async Task Progress_counts_the_file_bytes_up_to_their_total()
    {
        using var content = new ContentFolder();
        content.Write("set/a.bin", 100_000, 1);
        content.Write("set/b.bin", 50_000, 2);
        var reports = new ConcurrentQueue<TorrentCreationProgress>();

        await Parallel.CreateAsync(content.PathOf("set"), new TorrentCreationOptions { Version = TorrentVersion.Hybrid, PieceLength = 16 * KiB }, new SyncProgress<TorrentCreationProgress>(reports.Enqueue), CancellationToken.None);

        Assert.Equal(new TorrentCreationProgress(0, 150_000), reports.First());
        Assert.All(reports, r => Assert.Equal(150_000, r.TotalBytes));
        Assert.Equal(150_000, reports.Max(r => r.BytesHashed)); // padding is not counted
        Assert.True(reports.Count >= 10, $"{reports.Count} reports"); // one per 16 KiB read
    }

    [Fact]
    public async Task Cancelling_stops_the_hashing_at_once()
    {
        using var content = new ContentFolder();
        content.Write("big.bin", 4 * 1024 * 1024);
        using var cancellation = new CancellationTokenSource();
        var reports = 0;
        var progress = new SyncProgress<TorrentCreationProgress>(_ =>
        {
            if (Interlocked.Increment(ref reports) == 3)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Parallel.CreateAsync(content.PathOf("big.bin"), null, progress, cancellation.Token));
        Assert.InRange(reports, 3, 3 + 4); // at most one more read per worker
    }

    [Fact]
    public async Task A_file_that_grows_while_it_is_hashed_is_a_ContentChanged_error()
    {
        using var content = new ContentFolder();
        content.Write("set/a.bin", 200_000, 1);
        content.Write("set/b.bin", 200_000, 2);
        var error = await CreateWhileChanging(content, () => File.AppendAllText(content.PathOf("set/b.bin"), "more"));
        Assert.Contains("b.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_shrinks_while_it_is_hashed_is_a_ContentChanged_error()
    {
        using var content = new ContentFolder();
        content.Write("set/a.bin", 200_000, 1);
        content.Write("set/b.bin", 200_000, 2);
        var error = await CreateWhileChanging(content, () => File.WriteAllBytes(content.PathOf("set/b.bin"), new byte[10]));
        Assert.Contains("b.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("shorter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_rewritten_in_place_while_it_is_hashed_is_a_ContentChanged_error()
    {
        using var content = new ContentFolder();
        content.Write("set/a.bin", 200_000, 1);
        content.Write("set/b.bin", 200_000, 2);
        var path = content.PathOf("set/b.bin");
        var error = await CreateWhileChanging(content, () =>
        {
            File.WriteAllBytes(path, TestTorrent.Content(200_000, 99));
            File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(1)); // as a later write would, whatever the clock's grain
        });
        Assert.Contains("was written to", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_deleted_while_it_is_hashed_is_a_ContentChanged_error()
    {
        using var content = new ContentFolder();
        content.Write("set/a.bin", 200_000, 1);
        content.Write("set/b.bin", 200_000, 2);
        var error = await CreateWhileChanging(content, () => File.Delete(content.PathOf("set/b.bin")));
        Assert.Contains("b.bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_folder_or_one_with_only_empty_files_is_EmptyContent()
    {
        using var content = new ContentFolder();
        content.Folder("nothing/deeper");
        content.Write("zeros/empty.txt", []);
        content.Write("zero.bin", []);

        foreach (var path in new[] { "nothing", "zeros", "zero.bin" })
        {
            var error = await Assert.ThrowsAsync<TorrentPSException>(() => Create(content.PathOf(path)));
            Assert.Equal(("EmptyContent", TorrentErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        }
    }

    [Theory]
    [InlineData(8 * KiB)]
    [InlineData(48 * KiB)]
    [InlineData(512L * 1024 * KiB)]
    public async Task A_piece_length_that_is_not_a_power_of_two_from_16_KiB_to_256_MiB_is_refused(long pieceLength)
    {
        using var content = new ContentFolder();
        content.Write("data.bin", 1000);
        var error = await Assert.ThrowsAsync<TorrentPSException>(() => Create(content.PathOf("data.bin"), new TorrentCreationOptions { PieceLength = pieceLength }));
        Assert.Equal(("InvalidPieceLength", TorrentErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
    }

    [Fact]
    public async Task A_name_readers_would_change_is_kept_as_it_is_and_reported()
    {
        using var content = new ContentFolder();
        content.Write("set/CON.txt", 10, 1);
        content.Write("set/ok.bin", 10, 2);
        using var logs = new TestLoggerFactory();

        var created = await new TorrentCreator(logger: new Logger<TorrentCreator>(logs)).CreateAsync(content.PathOf("set"), null, null, CancellationToken.None);

        var raw = Info(created).Get<BencodeList>("files")!.Cast<BencodeDictionary>().Select(f => ((BencodeString)f.Get<BencodeList>("path")![0]).Text);
        Assert.Contains("CON.txt", raw);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("CON.txt", StringComparison.Ordinal) && e.Message.Contains("_CON.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Links_and_folders_left_out_are_in_the_result_and_logged_as_warnings()
    {
        using var content = new ContentFolder();
        content.Write("set/data.bin", 10);
        content.Folder("set/empty");
        File.CreateSymbolicLink(content.PathOf("set/out"), content.Root);
        using var logs = new TestLoggerFactory();

        var created = await new TorrentCreator(logger: new Logger<TorrentCreator>(logs)).CreateAsync(content.PathOf("set"), null, null, CancellationToken.None);

        Assert.Equal(["empty", "out"], created.Skipped.Select(s => s.RelativePath));
        Assert.Equal(2, logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.StartsWith("Not in the torrent", StringComparison.Ordinal)));
    }

    /// <summary>Makes a torrent of <c>set</c> on one thread with 16 KiB reads, running <paramref name="change"/> right after the first read.</summary>
    private static async Task<TorrentPSException> CreateWhileChanging(ContentFolder content, Action change)
    {
        var creator = new TorrentCreator(new TorrentVerifierOptions { ReadSize = 16 * KiB, MaxParallelism = 1 });
        var changed = 0;
        var progress = new SyncProgress<TorrentCreationProgress>(p =>
        {
            if (p.BytesHashed > 0 && Interlocked.Exchange(ref changed, 1) == 0)
            {
                change();
            }
        });
        var error = await Assert.ThrowsAsync<TorrentPSException>(() => creator.CreateAsync(content.PathOf("set"), new TorrentCreationOptions { PieceLength = 16 * KiB }, progress, CancellationToken.None));
        Assert.Equal(("ContentChanged", TorrentErrorKind.ReadError), (error.ErrorId, error.Kind));
        return error;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
