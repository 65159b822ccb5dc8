using System.Collections.Concurrent;
using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

public class TorrentVerifierTests
{
    /// <summary>Small reads and no threshold, so that even tiny tests go through runs, several reads per piece and parallel workers.</summary>
    private static readonly TorrentVerifier Parallel = new(new TorrentVerifierOptions { ReadSize = 16 * 1024, ParallelThreshold = 0, MaxParallelism = 4 });

    private static Task<VerificationResult> Verify(StorageTorrent t, Bitfield? only = null, TorrentVerifier? verifier = null)
        => (verifier ?? Parallel).VerifyAsync(t.Torrent, t.Location, null, CancellationToken.None, only);

    /// <summary>Five files, one empty, with padding, in 8 KiB pieces: pieces span files and files span pieces.</summary>
    private static StorageTorrent Album() => StorageTorrent.Multi(
        "album",
        8192,
        TestFile.Random("cd1/01.flac", 30000, 1),
        TestFile.Padding(2768),
        TestFile.Random("cd1/02.flac", 20000, 2),
        new TestFile("empty.txt", []),
        TestFile.Random("cover.jpg", 5000, 3),
        TestFile.Random("notes/readme.txt", 100, 4));

    [Fact]
    public async Task Intact_data_verifies_complete()
    {
        using var t = Album().WriteContent();
        var result = await Verify(t);
        Assert.True(result.IsComplete);
        Assert.Equal(t.Torrent.PieceCount, result.ValidPieceCount);
        Assert.Empty(result.InvalidPieces);
        Assert.Empty(result.MissingPieces);
        Assert.Equal(5, result.Files.Count);
        Assert.All(result.Files, f => Assert.True(f.IsComplete, f.RelativePath));
        Assert.Equal(t.Content.Length - 2768, result.BytesChecked - 2768);
        Assert.Equal(("album", t.Torrent.Hash), (result.Name, result.Hash));
    }

    [Fact]
    public async Task One_flipped_byte_makes_exactly_its_piece_invalid()
    {
        using var t = Album().WriteContent();
        var bytes = File.ReadAllBytes(t.PathOf(2));
        bytes[12345] ^= 0x40;
        File.WriteAllBytes(t.PathOf(2), bytes);
        var piece = (int)((t.Torrent.Files[2].Offset + 12345) / 8192);

        var result = await Verify(t);
        Assert.Equal([piece], result.InvalidPieces);
        Assert.Empty(result.MissingPieces);
        Assert.Equal(t.Torrent.PieceCount - 1, result.ValidPieceCount);
        Assert.False(result.IsComplete);
        Assert.False(result.Files.Single(f => f.RelativePath == "cd1/02.flac").IsComplete);
        Assert.True(result.Files.Single(f => f.RelativePath == "cover.jpg").IsComplete);
    }

    [Fact]
    public async Task A_truncated_file_makes_the_pieces_past_its_end_missing()
    {
        using var t = Album().WriteContent();
        File.WriteAllBytes(t.PathOf(0), t.Files[0].Content[..10000]);

        var result = await Verify(t);
        // 01.flac is 30000 bytes: pieces 0 (whole) stays, 1 to 3 lose data (piece 3 = 01.flac's end and the padding).
        Assert.Equal([1, 2, 3], result.MissingPieces);
        Assert.Empty(result.InvalidPieces);
        var file = result.Files[0];
        Assert.Equal((30000L, 10000L, true, false), (file.Length, file.ExistingLength, file.Exists, file.IsComplete));
    }

    [Fact]
    public async Task A_missing_file_makes_its_pieces_missing_and_is_reported_as_not_existing()
    {
        using var t = Album().WriteContent();
        File.Delete(t.PathOf(4));

        var result = await Verify(t);
        var cover = result.Files.Single(f => f.RelativePath == "cover.jpg");
        Assert.Equal((false, 0L, false), (cover.Exists, cover.ExistingLength, cover.IsComplete));
        var (first, last) = FileLayout.For(t.Torrent).GetPieceRange(4);
        Assert.Equal(Enumerable.Range(first, last - first + 1), result.MissingPieces);
        Assert.True(result.Files.Single(f => f.RelativePath == "empty.txt").IsComplete);
        File.Delete(t.PathOf(3));
        var empty = (await Verify(t)).Files.Single(f => f.RelativePath == "empty.txt");
        Assert.Equal((false, false), (empty.Exists, empty.IsComplete)); // a zero-length file must exist too
    }

    [Fact]
    public async Task An_extra_file_in_the_folder_changes_nothing()
    {
        using var t = Album().WriteContent();
        File.WriteAllText(Path.Combine(t.Location.ContentPath, "extra.nfo"), "not in the torrent");
        File.WriteAllText(Path.Combine(t.Folder, "beside.txt"), "not in the torrent");
        Assert.True((await Verify(t)).IsComplete);
    }

    [Fact]
    public async Task A_file_replaced_by_a_folder_is_missing_without_an_exception()
    {
        using var t = Album().WriteContent();
        File.Delete(t.PathOf(2));
        Directory.CreateDirectory(t.PathOf(2));
        File.WriteAllText(Path.Combine(t.PathOf(2), "inside.txt"), "x");

        var result = await Verify(t);
        var (first, last) = FileLayout.For(t.Torrent).GetPieceRange(2);
        Assert.Equal(Enumerable.Range(first, last - first + 1), result.MissingPieces);
        Assert.False(result.Files[2 - 1].Exists); // index 1 of the list: padding is left out
    }

    [Fact]
    public async Task A_longer_file_still_verifies_since_the_torrent_bytes_are_all_there()
    {
        using var t = StorageTorrent.Single("x.bin", 50000, 16384).WriteContent();
        File.AppendAllText(t.PathOf(0), "tail");
        var result = await Verify(t);
        Assert.True(result.IsComplete);
        Assert.Equal(50004, result.Files[0].ExistingLength);
    }

    [Fact]
    public async Task Zeros_where_a_piece_should_be_count_as_missing_not_invalid()
    {
        // A sparse file with only its last piece written, as a download leaves it.
        using var t = StorageTorrent.Single("sparse.bin", 5 * 16384, 16384);
        using (var store = new PieceStore(FileLayout.For(t.Torrent), t.Location))
        {
            store.Write(4, 0, t.Content.AsSpan(4 * 16384));
        }

        var result = await Verify(t);
        Assert.Equal([0, 1, 2, 3], result.MissingPieces);
        Assert.Empty(result.InvalidPieces);
        Assert.Equal([4], result.ValidPieceBits.Indexes());
    }

    [Fact]
    public async Task A_valid_piece_of_zeros_is_valid()
    {
        var zeros = new byte[3 * 1000];
        using var t = StorageTorrent.Multi("z", 1000, new TestFile("zeros.bin", zeros));
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(t.Location.ContentPath).FullName, "zeros.bin"), zeros);
        Assert.True((await Verify(t)).IsComplete);
    }

    [Fact]
    public async Task Pieces_larger_than_a_read_are_hashed_across_reads()
    {
        using var t = StorageTorrent.Single("big-pieces.bin", (3 * 65536) + 77, 65536).WriteContent();
        var verifier = new TorrentVerifier(new TorrentVerifierOptions { ReadSize = 16384, ParallelThreshold = 0 });
        Assert.True((await Verify(t, verifier: verifier)).IsComplete);
        var bytes = File.ReadAllBytes(t.PathOf(0));
        bytes[65536 + 40000] ^= 1;
        File.WriteAllBytes(t.PathOf(0), bytes);
        Assert.Equal([1], (await Verify(t, verifier: verifier)).InvalidPieces);
    }

    [Fact]
    public async Task Only_the_pieces_asked_for_are_checked()
    {
        using var t = Album().WriteContent();
        File.Delete(t.PathOf(4));
        var only = new Bitfield(t.Torrent.PieceCount);
        only[0] = true;
        only[t.Torrent.PieceCount - 1] = true;
        var result = await Verify(t, only);
        Assert.Equal([0], result.ValidPieceBits.Indexes());
        Assert.Equal([t.Torrent.PieceCount - 1], result.MissingPieces);
        Assert.Equal(8192, result.BytesChecked);
    }

    [Fact]
    public async Task Progress_counts_up_to_the_bytes_to_hash()
    {
        using var t = Album().WriteContent();
        File.Delete(t.PathOf(0));
        var reports = new ConcurrentQueue<VerificationProgress>();
        var result = await Parallel.VerifyAsync(t.Torrent, t.Location, new SyncProgress(reports.Enqueue), CancellationToken.None);
        var total = reports.First().TotalBytes;
        Assert.Equal(0, reports.First().BytesChecked);
        Assert.All(reports, r => Assert.Equal(total, r.TotalBytes));
        Assert.Equal(total, reports.Max(r => r.BytesChecked));
        Assert.Equal(result.BytesChecked, total);
        Assert.True(reports.Count >= 3, $"{reports.Count} reports"); // the first, then one per read
    }

    [Fact]
    public async Task Cancelling_stops_the_check_at_once()
    {
        using var t = StorageTorrent.Single("cancel.bin", 4 * 1024 * 1024, 16384).WriteContent();
        using var cancellation = new CancellationTokenSource();
        var reports = 0;
        var progress = new SyncProgress(_ =>
        {
            if (Interlocked.Increment(ref reports) == 3)
            {
                cancellation.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Parallel.VerifyAsync(t.Torrent, t.Location, progress, cancellation.Token));
        Assert.InRange(reports, 3, 3 + 8); // at most one more read per worker
    }

    [Fact]
    public async Task An_unreadable_file_is_a_typed_error()
    {
        using var t = StorageTorrent.Single("locked.bin", 100, 64).WriteContent();
        using var holder = new FileStream(t.PathOf(0), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var error = await Assert.ThrowsAsync<StorageException>(() => Verify(t));
        Assert.Equal("FileLocked", error.ErrorId);
    }

    [Fact]
    public async Task Many_pieces_hashed_in_parallel_agree_with_a_plain_loop()
    {
        using var t = StorageTorrent.Single("many.bin", (3 * 1024 * 1024) + 5, 4096, seed: 9).WriteContent();
        var bytes = File.ReadAllBytes(t.PathOf(0));
        var random = new Random(5);
        var flipped = new SortedSet<int>();
        for (var i = 0; i < 40; i++)
        {
            var at = random.Next(bytes.Length);
            bytes[at] ^= 0xFF;
            flipped.Add(at / 4096);
        }

        File.WriteAllBytes(t.PathOf(0), bytes);
        var expected = Enumerable.Range(0, t.Torrent.PieceCount)
            .Where(p => !SHA1.HashData(bytes.AsSpan(p * 4096, (int)t.Torrent.GetPieceLength(p))).AsSpan().SequenceEqual(t.Torrent.GetPieceHash(p)))
            .ToArray();
        Assert.Equal(flipped, expected);
        Assert.Equal(expected, (await Verify(t)).InvalidPieces);
    }

    /// <summary>Reports on the reporting thread (Progress&lt;T&gt; would post to the thread pool, after the check ends).</summary>
    private sealed class SyncProgress(Action<VerificationProgress> report) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value) => report(value);
    }
}
