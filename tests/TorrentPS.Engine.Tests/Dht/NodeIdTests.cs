using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Dht;

public sealed class NodeIdTests
{
    [Fact]
    public void Distance_is_the_xor_read_as_an_unsigned_big_endian_number()
    {
        var a = NodeId.Parse("ff00000000000000000000000000000000000001");
        var b = NodeId.Parse("0f00000000000000000000000000000000000003");

        Assert.Equal("f000000000000000000000000000000000000002", a.Xor(b).Hex);
        Assert.True(NodeId.Parse("8000000000000000000000000000000000000000").CompareTo(NodeId.Parse("7fffffffffffffffffffffffffffffffffffffff")) > 0);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000", "8000000000000000000000000000000000000000", 0)]
    [InlineData("0000000000000000000000000000000000000000", "0000000000000000000000000000000000000001", 159)]
    [InlineData("0000000000000000000000000000000000000000", "0000000000000001000000000000000000000000", 63)]
    [InlineData("0000000000000000000000000000000000000000", "0000000000000000800000000000000000000000", 64)]
    [InlineData("0000000000000000000000000000000000000000", "0000000000000000000000000000000080000000", 128)]
    [InlineData("1234567890123456789012345678901234567890", "1234567890123456789012345678901234567890", 160)]
    public void The_common_prefix_counts_shared_leading_bits_across_all_three_words(string a, string b, int expected)
        => Assert.Equal(expected, NodeId.Parse(a).CommonPrefixLength(NodeId.Parse(b)));

    [Fact]
    public void The_closer_of_two_ids_to_a_target_compares_first()
    {
        var target = NodeId.Parse("ffffffffffffffffffffffffffffffffffffffff");
        var near = NodeId.Parse("fffffffffffffffffffffffffffffffffffffff0");
        var far = NodeId.Parse("0fffffffffffffffffffffffffffffffffffffff");

        Assert.True(NodeId.CompareDistance(near, far, target) < 0);
        Assert.True(NodeId.CompareDistance(far, near, target) > 0);
        Assert.Equal(0, NodeId.CompareDistance(near, near, target));
    }

    [Fact]
    public void Ids_parse_from_hex_and_bytes_and_info_hashes_alike()
    {
        var bytes = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var id = new NodeId(bytes);

        Assert.Equal(bytes, id.ToArray());
        Assert.Equal(id, NodeId.Parse(id.Hex.ToUpperInvariant()));
        Assert.Equal(id, NodeId.FromInfoHash(new InfoHash(bytes)));
        Assert.False(NodeId.TryParse("zz" + id.Hex[2..], out _));
        Assert.False(NodeId.TryParse(id.Hex[1..], out _));
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[19]));
    }

    [Fact]
    public void A_random_id_with_a_prefix_falls_inside_that_bucket()
    {
        var own = NodeId.Random();
        for (var prefix = 0; prefix < NodeId.Bits; prefix += 7)
        {
            Assert.Equal(prefix, own.CommonPrefixLength(own.RandomWithPrefix(prefix)));
        }
    }
}
