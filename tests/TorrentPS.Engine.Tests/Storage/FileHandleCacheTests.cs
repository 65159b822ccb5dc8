using Microsoft.Win32.SafeHandles;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

public sealed class FileHandleCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-handles-{Guid.NewGuid():N}");
    private readonly List<int> _opened = [];

    public FileHandleCacheTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SafeFileHandle? Open(int file, bool create)
    {
        var path = Path.Combine(_folder, $"{file}.bin");
        if (!create && !File.Exists(path))
        {
            return null;
        }

        lock (_opened)
        {
            _opened.Add(file);
        }

        return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
    }

    [Fact]
    public void A_handle_in_use_is_never_closed_and_goes_once_idle_and_least_recently_used()
    {
        using var cache = new FileHandleCache(1, Open);
        var first = cache.Acquire(0, create: true);
        var handle = first.Handle!;
        for (var file = 1; file <= 3; file++)
        {
            // Over capacity only while both are in use; the idle one goes, never the busy one.
            using (var other = cache.Acquire(file, create: true))
            {
                Assert.Equal(2, cache.OpenCount);
            }

            Assert.Equal(1, cache.OpenCount);
            Assert.False(handle.IsClosed);
            RandomAccess.Write(handle, new byte[] { (byte)file }, 0);
        }

        using (var other = cache.Acquire(4, create: true))
        {
            first.Dispose();
            Assert.True(handle.IsClosed); // idle now, and used less recently than file 4
            Assert.False(other.Handle!.IsClosed);
        }

        Assert.Equal(1, cache.OpenCount);
    }

    [Fact]
    public void The_least_recently_used_handle_is_closed_first_and_a_hit_reopens_nothing()
    {
        using var cache = new FileHandleCache(2, Open);
        Use(cache, 0);
        Use(cache, 1);
        Use(cache, 0); // 1 is now the least recently used
        Use(cache, 2); // evicts 1
        Use(cache, 0);
        Use(cache, 1);
        Assert.Equal([0, 1, 2, 1], _opened);
    }

    [Fact]
    public void A_missing_file_gives_a_lease_without_a_handle_and_is_not_cached()
    {
        using var cache = new FileHandleCache(2, Open);
        using (var lease = cache.Acquire(5, create: false))
        {
            Assert.Null(lease.Handle);
        }

        Assert.Equal(0, cache.OpenCount);
    }

    [Fact]
    public void Disposing_the_cache_closes_idle_handles_at_once_and_busy_ones_when_released()
    {
        var cache = new FileHandleCache(4, Open);
        Use(cache, 0);
        var busy = cache.Acquire(1, create: true);
        cache.Dispose();
        Assert.False(busy.Handle!.IsClosed);
        busy.Dispose();
        Assert.True(busy.Handle!.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => cache.Acquire(0, create: true));
    }

    [Fact]
    public void Many_threads_on_few_handles_never_see_a_closed_handle()
    {
        using var cache = new FileHandleCache(2, Open);
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            using var lease = cache.Acquire(i % 7, create: true);
            RandomAccess.Write(lease.Handle!, new byte[] { (byte)i }, i % 13);
            Span<byte> one = stackalloc byte[1];
            RandomAccess.Read(lease.Handle!, one, i % 13);
        });
        Assert.InRange(cache.OpenCount, 0, 2);
    }

    private static void Use(FileHandleCache cache, int file)
    {
        using var lease = cache.Acquire(file, create: true);
        Assert.NotNull(lease.Handle);
    }
}
