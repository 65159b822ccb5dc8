using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

public class PieceStoreTests
{
    private static PieceStore Store(StorageTorrent t, PieceStoreOptions? options = null) => new(FileLayout.For(t.Torrent), t.Location, options);

    private static StorageTorrent ThreeFiles() => StorageTorrent.Multi(
        "album",
        16,
        TestFile.Random("cd1/a.bin", 21, 1),
        TestFile.Padding(11),
        TestFile.Random("cd2/deep/b.bin", 40, 2),
        new TestFile("empty.txt", []),
        TestFile.Random("c.bin", 9, 3));

    /// <summary>Files of one 16-byte piece each.</summary>
    private static StorageTorrent OneFilePerPiece(int count)
        => StorageTorrent.Multi("files", 16, Enumerable.Range(0, count).Select(i => TestFile.Random($"f{i}.bin", 16, i)).ToArray());

    /// <summary>Writes every piece in blocks of <paramref name="block"/> bytes.</summary>
    private static void WriteAll(PieceStore store, byte[] content, int block)
    {
        var layout = store.Layout;
        for (var piece = 0; piece < layout.PieceCount; piece++)
        {
            var start = (int)layout.GetPieceOffset(piece);
            for (var begin = 0; begin < layout.GetPieceSize(piece); begin += block)
            {
                var length = Math.Min(block, layout.GetPieceSize(piece) - begin);
                store.Write(piece, begin, content.AsSpan(start + begin, length));
            }
        }
    }

    [Fact]
    public void Blocks_written_read_back_and_land_in_the_right_files()
    {
        using var t = ThreeFiles();
        using (var store = Store(t))
        {
            WriteAll(store, t.Content, 5);
            var buffer = new byte[16];
            for (var piece = 0; piece < store.Layout.PieceCount; piece++)
            {
                var size = store.Layout.GetPieceSize(piece);
                Assert.Equal(size, store.Read(piece, 0, buffer.AsSpan(0, size)));
                Assert.Equal(t.Content.AsSpan((int)store.Layout.GetPieceOffset(piece), size), buffer.AsSpan(0, size));
            }
        }

        Assert.Equal(t.Files[0].Content, File.ReadAllBytes(t.PathOf(0)));
        Assert.Equal(t.Files[2].Content, File.ReadAllBytes(t.PathOf(2)));
        Assert.Equal(t.Files[4].Content, File.ReadAllBytes(t.PathOf(4)));
    }

    [Fact]
    public void Files_are_created_only_when_a_block_lands_in_them_and_padding_never()
    {
        using var t = ThreeFiles();
        using var store = Store(t);
        Assert.False(Directory.Exists(t.Location.ContentPath));

        // Piece 0 is a.bin's first 16 bytes: nothing else may appear, not even b.bin's folder.
        store.Write(0, 0, t.Content.AsSpan(0, 16));
        Assert.True(File.Exists(t.PathOf(0)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(t.PathOf(2))));
        Assert.False(File.Exists(t.PathOf(4)));
        Assert.Single(Directory.GetFiles(t.Folder, "*", SearchOption.AllDirectories));

        // Piece 1 holds a.bin's end and the padding: the padding is never written.
        store.Write(1, 0, t.Content.AsSpan(16, 16));
        Assert.Single(Directory.GetFiles(t.Folder, "*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(t.Location.ContentPath, ".pad")));

        // Piece 2 is b.bin's first block: its folders are made on demand.
        store.Write(2, 0, t.Content.AsSpan(32, 16));
        Assert.Equal(t.Content[32..48], File.ReadAllBytes(t.PathOf(2)));
        Assert.Equal(2, Directory.GetFiles(t.Folder, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void A_far_block_makes_a_sparse_file_without_preallocating_it()
    {
        using var t = StorageTorrent.Single("big.bin", 64 * 1024 * 1024, 1024 * 1024);
        using (var store = Store(t))
        {
            store.Write(63, 0, new byte[] { 1, 2, 3 });
        }

        var info = new FileInfo(t.PathOf(0));
        Assert.Equal((63L * 1024 * 1024) + 3, info.Length);
        if (!OperatingSystem.IsWindows())
        {
            // Blocks really allocated, from du's view: far less than the file's length.
            var output = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("du", ["-k", info.FullName]) { RedirectStandardOutput = true })!;
            var allocatedKiB = long.Parse(output.StandardOutput.ReadToEnd().Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);
            output.WaitForExit();
            Assert.True(allocatedKiB < 1024, $"{allocatedKiB} KiB allocated for one block");
        }
    }

    [Fact]
    public void Reads_of_missing_or_short_files_return_the_bytes_present_and_padding_reads_as_zeros()
    {
        using var t = ThreeFiles();
        using var store = Store(t);
        var buffer = new byte[16];
        Assert.Equal(0, store.Read(0, 0, buffer));
        Assert.False(File.Exists(t.PathOf(0)));

        // a.bin holds 10 of its 21 bytes: piece 0 reads as 10.
        Directory.CreateDirectory(Path.GetDirectoryName(t.PathOf(0))!);
        File.WriteAllBytes(t.PathOf(0), t.Files[0].Content[..10]);
        Assert.Equal(10, store.Read(0, 0, buffer));
        Assert.Equal(t.Files[0].Content[..10], buffer[..10]);

        // Piece 1 = a.bin[16..21] + 11 padding bytes, read as zeros.
        File.WriteAllBytes(t.PathOf(0), t.Files[0].Content);
        buffer.AsSpan().Fill(0xEE);
        Assert.Equal(16, store.Read(1, 0, buffer));
        Assert.Equal(t.Files[0].Content[16..], buffer[..5]);
        Assert.All(buffer[5..16], b => Assert.Equal(0, b));

        // Piece 4 = b.bin[32..40] + c.bin[0..8]; c.bin is missing, so the read stops where it begins.
        Directory.CreateDirectory(Path.GetDirectoryName(t.PathOf(2))!);
        File.WriteAllBytes(t.PathOf(2), t.Files[2].Content);
        Assert.Equal(8, store.Read(4, 0, buffer));
        Assert.Equal(t.Files[2].Content[32..], buffer[..8]);
        Assert.Equal(3, store.Read(4, 5, buffer.AsSpan(0, 6)));
    }

    [Fact]
    public void The_handle_cache_stays_bounded_and_closes_least_recently_used_first()
    {
        using var t = OneFilePerPiece(10);
        var files = t.Files.ToArray();
        using var store = Store(t, new PieceStoreOptions { MaxOpenFiles = 3 });
        WriteAll(store, t.Content, 16);
        Assert.Equal(3, store.OpenFileCount);
        for (var piece = 0; piece < 10; piece++)
        {
            Assert.Equal(16, store.Read(piece, 0, new byte[16]));
        }

        Assert.Equal(3, store.OpenFileCount);
        Assert.Equal(t.Content, files.SelectMany(f => File.ReadAllBytes(t.PathOf(Array.IndexOf(files, f)))).ToArray());
    }

    [Fact]
    public void Concurrent_writers_and_readers_of_different_pieces_through_a_tiny_cache_keep_every_byte()
    {
        var files = Enumerable.Range(0, 24).Select(i => TestFile.Random($"d{i % 3}/f{i}.bin", 3000 + (i * 131), i)).ToArray();
        using var t = StorageTorrent.Multi("concurrent", 1024, files);
        var content = t.Content;
        using (var store = Store(t, new PieceStoreOptions { MaxOpenFiles = 2 }))
        {
            var layout = store.Layout;
            Parallel.For(0, layout.PieceCount, new ParallelOptions { MaxDegreeOfParallelism = 8 }, piece =>
            {
                var start = (int)layout.GetPieceOffset(piece);
                var size = layout.GetPieceSize(piece);
                for (var begin = 0; begin < size; begin += 100)
                {
                    store.Write(piece, begin, content.AsSpan(start + begin, Math.Min(100, size - begin)));
                }

                var check = new byte[size];
                Assert.Equal(size, store.Read(piece, 0, check));
                Assert.Equal(content.AsSpan(start, size).ToArray(), check);
            });
            Assert.InRange(store.OpenFileCount, 0, 2);
            store.Flush();
        }

        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(files[i].Content, File.ReadAllBytes(t.PathOf(i)));
        }
    }

    [Fact]
    public void Flush_reaches_every_file_written_since_the_last_flush_even_when_the_cache_closed_its_handle()
    {
        using var t = OneFilePerPiece(3);
        var files = t.Files;
        using var store = Store(t, new PieceStoreOptions { MaxOpenFiles = 1 });
        WriteAll(store, t.Content, 16);
        Assert.Equal(1, store.OpenFileCount);

        // f0's handle was closed unflushed; put a folder in its place so that the flush's reopening shows.
        File.Delete(t.PathOf(0));
        Directory.CreateDirectory(t.PathOf(0));
        Assert.Equal("PathIsDirectory", Assert.Throws<StorageException>(store.Flush).ErrorId);

        // Once the file is back and flushed, a flush with nothing written since touches no file at all.
        Directory.Delete(t.PathOf(0));
        File.WriteAllBytes(t.PathOf(0), files[0].Content);
        store.Flush();
        File.Delete(t.PathOf(0));
        Directory.CreateDirectory(t.PathOf(0));
        store.Flush();
    }

    [Fact]
    public void Threads_creating_files_in_one_new_folder_at_once_all_succeed()
    {
        // The race: a thread fails to open because the folder is missing, another makes the folder, and .NET then calls
        // the first failure FileNotFound rather than DirectoryNotFound.
        for (var round = 0; round < 300; round++)
        {
            var files = Enumerable.Range(0, 16).Select(i => TestFile.Random($"new/deep/folder/f{i}.bin", 64, i)).ToArray();
            using var t = StorageTorrent.Multi("race", 64, files);
            using (var store = Store(t, new PieceStoreOptions { MaxOpenFiles = 4 }))
            {
                using var go = new ManualResetEventSlim();
                var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
                var threads = Enumerable.Range(0, 8).Select(n => new Thread(() =>
                {
                    go.Wait();
                    try
                    {
                        store.Write(n, 0, files[n].Content);
                        store.Write(n + 8, 0, files[n + 8].Content);
                    }
                    catch (Exception ex)
                    {
                        errors.Enqueue(ex);
                    }
                })).ToArray();
                Array.ForEach(threads, thread => thread.Start());
                go.Set();
                Array.ForEach(threads, thread => thread.Join());
                Assert.Empty(errors);
            }

            Assert.All(Enumerable.Range(0, 16), i => Assert.Equal(files[i].Content, File.ReadAllBytes(t.PathOf(i))));
        }
    }

    [Fact]
    public void A_read_only_store_refuses_writes_and_creates_nothing()
    {
        using var t = ThreeFiles();
        using var store = Store(t, new PieceStoreOptions { ReadOnly = true });
        Assert.Throws<InvalidOperationException>(() => store.Write(0, 0, new byte[4]));
        Assert.Throws<InvalidOperationException>(store.CreateEmptyFiles);
        Assert.Equal(0, store.Read(0, 0, new byte[16]));
        store.Flush();
        Assert.Empty(Directory.GetFileSystemEntries(t.Folder));
    }

    [Fact]
    public void File_stamps_give_lengths_and_times_and_minus_one_for_files_not_there()
    {
        using var t = ThreeFiles();
        using var store = Store(t);
        store.Write(0, 0, t.Content.AsSpan(0, 16));
        store.Flush();
        var stamps = store.GetFileStamps();
        Assert.Equal(5, stamps.Count);
        Assert.Equal(16, stamps[0].Length);
        Assert.Equal(File.GetLastWriteTimeUtc(t.PathOf(0)), stamps[0].LastWriteTimeUtc);
        Assert.Equal(FileStamp.Missing, stamps[1]);
        Assert.False(stamps[2].Exists);
        Assert.Equal(-1, stamps[4].Length);
    }

    [Fact]
    public void Empty_files_are_created_on_request_with_their_folders()
    {
        using var t = StorageTorrent.Multi("e", 16, TestFile.Random("a.bin", 5, 1), new TestFile("x/empty.txt", []));
        using var store = Store(t);
        store.CreateEmptyFiles();
        Assert.Equal(0, new FileInfo(t.PathOf(1)).Length);
        Assert.False(File.Exists(t.PathOf(0)));
    }

    [Fact]
    public void Writes_and_reads_of_blocks_allocate_nothing_once_files_are_open()
    {
        using var t = StorageTorrent.Multi("alloc", 16384, TestFile.Random("a.bin", 40000, 1), TestFile.Random("b.bin", 30000, 2));
        using var store = Store(t);
        var block = new byte[16384];
        WriteAll(store, t.Content, 16384);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 10; round++)
        {
            for (var piece = 0; piece < store.Layout.PieceCount; piece++)
            {
                var size = store.Layout.GetPieceSize(piece);
                store.Read(piece, 0, block.AsSpan(0, size));
                store.Write(piece, 0, block.AsSpan(0, size));
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
