using TorrentPS.Engine.Creation;

namespace TorrentPS.Engine.Tests.Creation;

public sealed class PieceLengthRuleTests
{
    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;

    /// <summary>libtorrent's table of the most content each piece length serves (p²/100, rounded), and one byte more.</summary>
    [Theory]
    [InlineData(2684355L, 16 * KiB)]
    [InlineData(2684356L, 32 * KiB)]
    [InlineData(10737418L, 32 * KiB)]
    [InlineData(10737419L, 64 * KiB)]
    [InlineData(687194767L, 256 * KiB)]
    [InlineData(687194768L, 512 * KiB)]
    [InlineData(10995116278L, 1 * MiB)]
    [InlineData(10995116279L, 2 * MiB)]
    [InlineData(703687441777L, 8 * MiB)]
    [InlineData(703687441778L, 16 * MiB)]
    public void The_automatic_length_changes_exactly_at_libtorrents_boundaries(long contentLength, long expected)
        => Assert.Equal(expected, PieceLengthRule.Automatic(contentLength));

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(100_000L)]
    public void Small_content_gets_the_smallest_pieces(long contentLength)
        => Assert.Equal(16 * KiB, PieceLengthRule.Automatic(contentLength));

    [Theory]
    [InlineData(1L << 40)]
    [InlineData(1L << 50)]
    [InlineData(long.MaxValue)]
    public void Huge_content_is_capped_at_16_MiB_pieces(long contentLength)
        => Assert.Equal(16 * MiB, PieceLengthRule.Automatic(contentLength));

    [Fact]
    public void The_hash_list_stays_near_two_square_roots_of_the_content()
    {
        // Between the minimum and the cap the v1 hash list (20 bytes a piece) is at most 2·√size, and at least √size (with
        // pieces half as long it would have been more than 2·√size).
        for (var size = 3 * MiB; size < 600L * 1024 * MiB; size = (size * 3) / 2)
        {
            var pieceLength = PieceLengthRule.Automatic(size);
            var hashList = 20.0 * Math.Ceiling((double)size / pieceLength);
            Assert.True(PieceLengthRule.IsValid(pieceLength), $"{pieceLength} for {size}");
            Assert.InRange(hashList, Math.Sqrt(size), (2 * Math.Sqrt(size)) + 20);
        }
    }

    [Theory]
    [InlineData(16 * KiB, true)]
    [InlineData(256 * MiB, true)]
    [InlineData(1 * MiB, true)]
    [InlineData(8 * KiB, false)]
    [InlineData(48 * KiB, false)]
    [InlineData(512 * MiB, false)]
    [InlineData(0L, false)]
    [InlineData(-16384L, false)]
    public void A_given_length_is_a_power_of_two_from_16_KiB_to_256_MiB(long pieceLength, bool valid)
        => Assert.Equal(valid, PieceLengthRule.IsValid(pieceLength));
}
