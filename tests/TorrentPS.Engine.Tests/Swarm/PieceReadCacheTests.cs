using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class PieceReadCacheTests
{
    private sealed class CountingStorage(int pieceLength) : IPieceStorage
    {
        public int Reads { get; private set; }

        public int Available { get; set; } = int.MaxValue;

        public void WritePiece(int piece, ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public int Read(int piece, int begin, Span<byte> destination)
        {
            Reads++;
            var length = Math.Min(destination.Length, Available);
            for (var i = 0; i < length; i++)
            {
                destination[i] = (byte)(piece + ((begin + i) / 16384));
            }

            return length;
        }

        public int PieceLength => pieceLength;
    }

    [Fact]
    public void The_blocks_of_one_piece_come_from_one_read()
    {
        var storage = new CountingStorage(65536);
        var cache = new PieceReadCache(65536, 2);
        var block = new byte[16384];
        for (var b = 0; b < 4; b++)
        {
            Assert.True(cache.TryRead(7, 65536, b * 16384, block, storage));
            Assert.All(block, x => Assert.Equal(7 + b, x));
        }

        Assert.Equal(1, storage.Reads);
    }

    [Fact]
    public void The_least_recently_used_piece_leaves_first()
    {
        var storage = new CountingStorage(16384);
        var cache = new PieceReadCache(16384, 2);
        var block = new byte[16384];
        cache.TryRead(1, 16384, 0, block, storage);
        cache.TryRead(2, 16384, 0, block, storage);
        cache.TryRead(1, 16384, 0, block, storage);
        cache.TryRead(3, 16384, 0, block, storage); // evicts 2
        cache.TryRead(1, 16384, 0, block, storage);
        Assert.Equal(3, storage.Reads);
        cache.TryRead(2, 16384, 0, block, storage);
        Assert.Equal(4, storage.Reads);
    }

    [Fact]
    public void A_piece_the_storage_cannot_read_whole_is_not_served_or_cached()
    {
        var storage = new CountingStorage(32768) { Available = 100 };
        var cache = new PieceReadCache(32768, 2);
        Assert.False(cache.TryRead(0, 32768, 0, new byte[16384], storage));
        storage.Available = int.MaxValue;
        Assert.True(cache.TryRead(0, 32768, 0, new byte[16384], storage));
        Assert.Equal(2, storage.Reads);
    }
}
