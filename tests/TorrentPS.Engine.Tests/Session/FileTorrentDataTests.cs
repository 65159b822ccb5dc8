using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Storage;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>
/// A torrent's files as the loop sees them, across runs: the selection kept by the resume data and changed later, files
/// changed on disk under a download, and a restart after the process was killed.
/// </summary>
public sealed class FileTorrentDataTests : IDisposable
{
    // 16-byte pieces. a.bin 0..20 (pieces 0-1), padding 20..24, b.bin 24..58 (pieces 1-3), c.bin 58..61 (piece 3),
    // d.bin 61..70 (pieces 3-4), empty.txt. Piece 3 holds b.bin's last 10 bytes, c.bin and d.bin's first 3.
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "ftd",
        16,
        TestFile.Random("a.bin", 20, 1),
        TestFile.Padding(4),
        TestFile.Random("x/b.bin", 34, 2),
        TestFile.Random("c.bin", 3, 3),
        TestFile.Random("d.bin", 9, 4),
        new TestFile("empty.txt", []));

    // One 4 MiB file in 64 pieces of 64 KiB.
    private readonly StorageTorrent _big = StorageTorrent.Single("big.bin", 4 * 1024 * 1024, 64 * 1024, seed: 9);

    private readonly TestLoggerFactory _log = new();

    public void Dispose()
    {
        _t.Dispose();
        _big.Dispose();
    }

    private FileTorrentData Data(StorageTorrent t, FileSelection? selection = null) => new(t.Torrent, t.Location, _log, selection: selection);

    private FileSelection Only(params string[] patterns) => FileSelection.FromPatterns(_t.Torrent, patterns);

    private static void Write(FileTorrentData data, StorageTorrent t, IEnumerable<int> pieces)
    {
        foreach (var piece in pieces)
        {
            var offset = (int)(piece * t.Torrent.PieceLength);
            data.Storage.WritePiece(piece, t.Content.AsSpan(offset, (int)t.Torrent.GetPieceLength(piece)));
        }
    }

    private static Bitfield Set(int length, IEnumerable<int> pieces)
    {
        var bits = new Bitfield(length);
        foreach (var piece in pieces)
        {
            bits[piece] = true;
        }

        return bits;
    }

    private static async Task<(Bitfield Verified, long Hashed)> CheckAsync(FileTorrentData data)
    {
        var hashed = new MaxProgress();
        var verified = await data.CheckAsync(hashed, CancellationToken.None);
        return (verified, hashed.Max);
    }

    private ResumeData Record(StorageTorrent t) => ResumeData.TryLoad(t.Location.ResumePath, t.Torrent, logger: null)!;

    [Fact]
    public async Task The_selection_is_kept_by_the_resume_data_and_a_wider_one_later_fetches_only_the_new_file()
    {
        // Run 1: only c.bin, which lives in piece 3 beside the ends of b.bin and d.bin.
        using (var data = Data(_t, Only("c.bin")))
        {
            Assert.True((await data.CheckAsync(null, CancellationToken.None)).IsEmpty);
            Assert.Equal([3], data.WantedPieces.Indexes());
            Write(data, _t, data.WantedPieces.Indexes());
            data.Checkpoint(data.WantedPieces, final: true);
            Assert.Equal([_t.PathOf(3)], data.FilePaths);
        }

        Assert.Equal(Only("c.bin"), Record(_t).Selection);
        Assert.False(File.Exists(_t.PathOf(2)));
        Assert.False(File.Exists(_t.PathOf(4)));
        Assert.False(File.Exists(_t.PathOf(5))); // a skipped empty file is not created either

        // Run 2 names no selection: the recorded one holds, and piece 3 is trusted without hashing.
        using (var data = Data(_t))
        {
            var (verified, hashed) = await CheckAsync(data);
            Assert.Equal(Only("c.bin"), data.Selection);
            Assert.Equal([3], verified.Indexes());
            Assert.Equal(0, hashed);
            Assert.Equal([3], data.WantedPieces.Indexes());
        }

        // Run 3 adds d.bin: its first 3 bytes come out of the part file, piece 3 stays verified, piece 4 is wanted.
        using (var data = Data(_t, Only("c.bin", "d.bin")))
        {
            var (verified, _) = await CheckAsync(data);
            Assert.Equal([3], verified.Indexes());
            Assert.Equal([3, 4], data.WantedPieces.Indexes());
            Write(data, _t, [4]);
            verified[4] = true;
            data.Checkpoint(verified, final: true);
        }

        Assert.Equal(_t.Files[4].Content, File.ReadAllBytes(_t.PathOf(4)));
        Assert.Equal(_t.Files[3].Content, File.ReadAllBytes(_t.PathOf(3)));
        Assert.False(File.Exists(_t.PathOf(2)));
        Assert.Equal(Only("c.bin", "d.bin"), Record(_t).Selection);
    }

    [Fact]
    public async Task A_selection_that_shrinks_leaves_the_files_there_and_keeps_their_pieces()
    {
        using (var data = Data(_t))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _t, Enumerable.Range(0, _t.Torrent.PieceCount));
            data.Checkpoint(data.WantedPieces, final: true);
        }

        using (var data = Data(_t, Only("a.bin")))
        {
            var (verified, hashed) = await CheckAsync(data);
            Assert.True(verified.IsComplete);
            Assert.Equal(0, hashed);
            Assert.Equal([0, 1], data.WantedPieces.Indexes());
        }

        for (var i = 0; i < _t.Files.Count; i++)
        {
            if (!_t.Files[i].IsPadding)
            {
                Assert.Equal(_t.Files[i].Content, File.ReadAllBytes(_t.PathOf(i)));
            }
        }
    }

    [Fact]
    public async Task Priorities_give_each_piece_the_highest_of_its_chosen_files()
    {
        var selection = FileSelection.All(6).WithPriority(2, FilePriority.High).WithPriority(0, FilePriority.Low).WithPriority(4, FilePriority.Skip);
        using var data = Data(_t, selection);
        await data.CheckAsync(null, CancellationToken.None);
        Assert.Equal(
            [FilePriority.Low, FilePriority.High, FilePriority.High, FilePriority.High, FilePriority.Skip],
            data.PiecePriorities);
        ITorrentData loop = data;
        Assert.Same(data.Selection, loop.Selection);
        Assert.Equal([0, 1, 2, 3], loop.WantedPieces!.Indexes());
    }

    [Fact]
    public async Task Empty_files_are_made_when_the_chosen_files_are_complete_and_only_chosen_ones()
    {
        using (var data = Data(_t, Only("a.bin", "empty.txt")))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _t, [0]);
            data.Checkpoint(Set(5, [0]), final: false);
            Assert.False(File.Exists(_t.PathOf(5)));
            Write(data, _t, [1]);
            data.Checkpoint(Set(5, [0, 1]), final: true);
        }

        Assert.Equal(0, new FileInfo(_t.PathOf(5)).Length);
        Assert.False(File.Exists(_t.PathOf(2)));
    }

    [Fact]
    public async Task After_a_kill_the_next_start_trusts_the_last_checkpoint_and_hashes_only_what_was_written_after_it()
    {
        using (var data = Data(_big))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _big, Enumerable.Range(0, 40));
            data.Checkpoint(Set(64, Enumerable.Range(0, 40)), final: false);
            Write(data, _big, Enumerable.Range(40, 10)); // verified after the checkpoint...
        } // ...and then the process dies: no final checkpoint.

        Assert.Equal(40, Record(_big).VerifiedPieces.Count);
        Assert.True(File.Exists(WriteJournal.PathFor(_big.Location)));
        using (var data = Data(_big))
        {
            var (verified, hashed) = await CheckAsync(data);
            Assert.Equal(Enumerable.Range(0, 50), verified.Indexes());
            Assert.Equal(10 * 64 * 1024, hashed); // the 10 pieces written after the checkpoint, nothing else
            Assert.Contains(_log.Messages, m => m.Contains("40 pieces trusted as verified, 10 to hash again", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task After_a_kill_a_file_changed_by_someone_else_is_hashed_whole()
    {
        using (var data = Data(_big))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _big, Enumerable.Range(0, 40));
            data.Checkpoint(Set(64, Enumerable.Range(0, 40)), final: false);
            Write(data, _big, Enumerable.Range(40, 10));
        }

        // After the kill, someone overwrites piece 5 with zeros (a later time than any write of ours).
        using (var file = File.OpenHandle(_big.PathOf(0), FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, new byte[64 * 1024], 5 * 64 * 1024);
        }

        File.SetLastWriteTimeUtc(_big.PathOf(0), DateTime.UtcNow.AddSeconds(5));
        using (var data = Data(_big))
        {
            var (verified, hashed) = await CheckAsync(data);
            Assert.Equal(Enumerable.Range(0, 50).Where(p => p != 5), verified.Indexes());
            Assert.True(hashed >= 49 * 64 * 1024, $"{hashed} bytes hashed");
        }
    }

    [Fact]
    public async Task A_file_truncated_under_the_download_is_noticed_at_the_next_write_and_its_older_pieces_are_not_vouched_for()
    {
        using (var data = Data(_big))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _big, Enumerable.Range(0, 32));
            data.Checkpoint(Set(64, Enumerable.Range(0, 32)), final: false);

            // Someone truncates the file to 1 MiB (16 pieces); the download goes on and writes the rest.
            using (var file = File.OpenHandle(_big.PathOf(0), FileMode.Open, FileAccess.Write))
            {
                RandomAccess.SetLength(file, 1024 * 1024);
            }

            Write(data, _big, Enumerable.Range(32, 32));
            var all = Set(64, Enumerable.Range(0, 64));
            var changed = data.FindChangedPieces(all);
            Assert.Equal(Enumerable.Range(0, 32), changed.Indexes()); // written before the change: not trusted

            // The final checkpoint saves the record without them, then refuses to let the run end as complete.
            var error = Assert.Throws<StorageException>(() => data.Checkpoint(all, final: true));
            Assert.Equal("DataChangedOnDisk", error.ErrorId);
            Assert.Contains("32 verified pieces", error.Message, StringComparison.Ordinal);
            Assert.Equal(_big.PathOf(0), error.Path);
            Assert.Equal([_big.PathOf(0)], data.ChangedFiles);
        }

        var record = Record(_big);
        Assert.Equal(Enumerable.Range(32, 32), record.VerifiedPieces.Indexes());
        Assert.Equal(Enumerable.Range(0, 32), record.RecheckPieces.Indexes());
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("changed on disk", StringComparison.Ordinal));

        // The next start hashes those pieces: the first 16 survived the truncation, the next 16 are gone.
        using (var data = Data(_big))
        {
            var (verified, hashed) = await CheckAsync(data);
            Assert.Equal(Enumerable.Range(0, 16).Concat(Enumerable.Range(32, 32)), verified.Indexes());
            Assert.Equal(32 * 64 * 1024, hashed);
        }
    }

    [Fact]
    public async Task A_file_overwritten_after_the_last_write_is_found_by_the_final_checkpoint()
    {
        var all = Set(64, Enumerable.Range(0, 64));
        using (var data = Data(_big))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _big, Enumerable.Range(0, 64));
            Assert.True(data.FindChangedPieces(all).IsEmpty);

            // Overwritten with zeros, same length, at a later time: the download itself has nothing left to write.
            File.WriteAllBytes(_big.PathOf(0), new byte[4 * 1024 * 1024]);
            File.SetLastWriteTimeUtc(_big.PathOf(0), DateTime.UtcNow.AddSeconds(5));
            Assert.Equal("DataChangedOnDisk", Assert.Throws<StorageException>(() => data.Checkpoint(all, final: true)).ErrorId);
            Assert.Equal(64, data.FindChangedPieces(all).Count);
        }

        Assert.True(Record(_big).VerifiedPieces.IsEmpty);
        using (var data = Data(_big))
        {
            var (verified, hashed) = await CheckAsync(data);
            Assert.True(verified.IsEmpty);
            Assert.Equal(4 * 1024 * 1024, hashed); // nothing trusted: every piece hashed again (and found all zeros)
        }
    }

    [Fact]
    public async Task A_file_deleted_under_the_download_is_noticed_at_a_checkpoint_and_later_writes_make_it_again()
    {
        using (var data = Data(_big))
        {
            await data.CheckAsync(null, CancellationToken.None);
            Write(data, _big, Enumerable.Range(0, 10));
            data.Checkpoint(Set(64, Enumerable.Range(0, 10)), final: false);
            File.Delete(_big.PathOf(0));
            data.Checkpoint(Set(64, Enumerable.Range(0, 10)), final: false);
            Assert.Equal(Enumerable.Range(0, 10), data.FindChangedPieces(Set(64, Enumerable.Range(0, 10))).Indexes());
            Assert.True(Record(_big).VerifiedPieces.IsEmpty);

            // The handle of the deleted file was dropped: later pieces land in a new file where the path says.
            Write(data, _big, Enumerable.Range(10, 10));
            Assert.True(File.Exists(_big.PathOf(0)));
            Assert.Throws<StorageException>(() => data.Checkpoint(Set(64, Enumerable.Range(0, 20)), final: true));
        }

        Assert.Equal(Enumerable.Range(10, 10), Record(_big).VerifiedPieces.Indexes());
        var onDisk = File.ReadAllBytes(_big.PathOf(0));
        Assert.True(_big.Content.AsSpan(10 * 64 * 1024, 10 * 64 * 1024).SequenceEqual(onDisk.AsSpan(10 * 64 * 1024, 10 * 64 * 1024)));
    }

    [Fact]
    public async Task Our_own_writes_never_count_as_changes()
    {
        var all = Set(64, Enumerable.Range(0, 64));
        using (var data = Data(_big))
        {
            await data.CheckAsync(null, CancellationToken.None);
            var threads = Enumerable.Range(0, 4).Select(n => Task.Run(() => Write(data, _big, Enumerable.Range(0, 64).Where(p => p % 4 == n)))).ToArray();
            await Task.WhenAll(threads);
            data.Checkpoint(Set(64, Enumerable.Range(0, 32)), final: false);
            Assert.True(data.FindChangedPieces(all).IsEmpty);
            data.Checkpoint(all, final: true);
        }

        Assert.True(Record(_big).VerifiedPieces.IsComplete);
        Assert.False(File.Exists(WriteJournal.PathFor(_big.Location))); // the final record says everything
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Single_piece_and_metadata_only_data_want_one_piece_and_none()
    {
        ITorrentData one = new PieceFilesData(_big.Torrent, 7, Path.Combine(_big.Folder, "p7"));
        ITorrentData none = new MetadataOnlyData(_big.Torrent);
        Assert.Equal([7], one.WantedPieces!.Indexes());
        Assert.True(none.WantedPieces!.IsEmpty);
        Assert.Null(one.Selection);
        Assert.Null(none.PiecePriorities);
        Assert.True(one.FindChangedPieces(new Bitfield(64)).IsEmpty);
        Assert.Throws<NotSupportedException>(() => none.ChangeSelection(FileSelection.All(1)));
    }

    private sealed class MaxProgress : IProgress<long>
    {
        private long _max;

        public long Max => Interlocked.Read(ref _max);

        public void Report(long value)
        {
            long seen;
            while ((seen = Interlocked.Read(ref _max)) < value && Interlocked.CompareExchange(ref _max, value, seen) != seen)
            {
            }
        }
    }
}
