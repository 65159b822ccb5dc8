using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

public class BencodeDecoderTests
{
    private static BencodeValue Decode(string text) => BencodeDecoder.Decode(Encoding.ASCII.GetBytes(text));

    [Theory]
    [InlineData("i03e", 1)]
    [InlineData("i-0e", 1)]
    [InlineData("ie", 1)]
    [InlineData("03:abc", 0)]
    [InlineData("-3:abc", 0)]
    [InlineData("i1ei2e", 3)]
    [InlineData("l", 1)]
    [InlineData("di1ei2ee", 1)]
    [InlineData("5:abc", 0)]
    [InlineData("i9223372036854775808e", 1)]
    public void Rejects_malformed_input_with_the_offset_of_the_fault(string input, long offset)
    {
        var error = Assert.Throws<BencodeException>(() => Decode(input));
        Assert.Equal(offset, error.Offset);
        Assert.Equal("InvalidBencode", error.ErrorId);
    }

    [Fact]
    public void Reads_the_extremes_of_a_64_bit_integer()
    {
        Assert.Equal(long.MinValue, ((BencodeInteger)Decode("i-9223372036854775808e")).Value);
        Assert.Equal(long.MaxValue, ((BencodeInteger)Decode("i9223372036854775807e")).Value);
    }

    [Fact]
    public void Keeps_the_raw_bytes_of_nested_values()
    {
        var dict = (BencodeDictionary)Decode("d4:infod1:ai1eee");
        Assert.Equal("d1:ai1ee", Encoding.ASCII.GetString(dict.Get<BencodeDictionary>("info")!.Raw.Span));
    }

    [Fact]
    public void Bounds_nesting_depth_instead_of_overflowing_the_stack()
    {
        var deep = new string('l', 100_000) + new string('e', 100_000);
        var error = Assert.Throws<BencodeException>(() => Decode(deep));
        Assert.Contains("nesting", error.Message);
    }
}
