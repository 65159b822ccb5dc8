using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

public class BitfieldTests
{
    [Fact]
    public void Piece_zero_is_the_high_bit_of_the_first_byte_and_count_follows_changes()
    {
        var bits = new Bitfield(10);
        bits[0] = true;
        bits[9] = true;
        bits[9] = true;
        Assert.Equal(2, bits.Count);
        Assert.Equal(new byte[] { 0x80, 0x40 }, bits.ToArray());
        bits[0] = false;
        Assert.Equal(1, bits.Count);
        Assert.False(bits.IsEmpty);
    }

    [Fact]
    public void SetAll_leaves_spare_bits_clear_and_round_trips_through_wire_bytes()
    {
        var bits = new Bitfield(13);
        bits.SetAll();
        Assert.True(bits.IsComplete);
        Assert.Equal(new byte[] { 0xFF, 0xF8 }, bits.ToArray());
        var copy = new Bitfield(13, bits.AsSpan());
        Assert.Equal(13, copy.Count);
    }

    [Fact]
    public void Wire_bytes_with_a_spare_bit_set_or_the_wrong_length_are_refused()
    {
        Assert.Throws<FormatException>(() => new Bitfield(13, new byte[] { 0xFF, 0xFC }));
        Assert.Throws<FormatException>(() => new Bitfield(13, new byte[] { 0xFF }));
    }

    [Fact]
    public void NextIndex_finds_set_and_clear_pieces_across_whole_bytes()
    {
        var bits = new Bitfield(40);
        bits[33] = true;
        Assert.Equal(33, bits.NextIndex(0));
        Assert.Equal(-1, bits.NextIndex(34));
        bits.SetAll();
        bits[38] = false;
        Assert.Equal(38, bits.NextIndex(0, set: false));
        Assert.Equal(new[] { 38 }, bits.Indexes(set: false).ToArray());
    }

    [Fact]
    public void An_index_outside_the_set_is_an_argument_error()
    {
        var bits = new Bitfield(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => bits[8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => bits[-1] = true);
    }
}
