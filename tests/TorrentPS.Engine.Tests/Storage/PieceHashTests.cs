using System.Security.Cryptography;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

public class PieceHashTests
{
    [Fact]
    public void Matches_compares_the_SHA1_of_the_data_without_allocating()
    {
        var data = new byte[16384];
        new Random(2).NextBytes(data);
        var hash = SHA1.HashData(data);
        Assert.True(PieceHash.Matches(data, hash));
        hash[19] ^= 1;
        Assert.False(PieceHash.Matches(data, hash));
        hash[19] ^= 1;

        PieceHash.Matches(data, hash);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            PieceHash.Matches(data, hash);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void An_incremental_hash_fed_in_blocks_matches_and_is_reset_for_the_next_piece()
    {
        var data = new byte[50000];
        new Random(3).NextBytes(data);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        for (var offset = 0; offset < data.Length; offset += 16384)
        {
            sha1.AppendData(data.AsSpan(offset, Math.Min(16384, data.Length - offset)));
        }

        Assert.True(PieceHash.Matches(sha1, SHA1.HashData(data)));
        sha1.AppendData(data.AsSpan(0, 10));
        Assert.True(PieceHash.Matches(sha1, SHA1.HashData(data.AsSpan(0, 10))));
    }
}
