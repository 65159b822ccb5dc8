using System.Text;
using TorrentPS.Conversion;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Module.Tests.Conversion;

public class BencodeInputCollectorTests
{
    [Fact]
    public void A_string_is_one_input_read_as_utf8()
    {
        var collector = new BencodeInputCollector();
        Assert.True(collector.TryTake("4:héé", out var data));
        Assert.Equal(Encoding.UTF8.GetBytes("4:héé"), data.ToArray());
    }

    [Fact]
    public void A_byte_array_is_one_input()
    {
        var collector = new BencodeInputCollector();
        var bytes = Encoding.ASCII.GetBytes("i1e");
        Assert.True(collector.TryTake(bytes, out var data));
        Assert.Equal(bytes, data.ToArray());
        Assert.False(collector.HasPending);
    }

    [Fact]
    public void Single_bytes_from_an_unrolled_array_are_collected_for_the_end()
    {
        var collector = new BencodeInputCollector();
        foreach (var b in Encoding.ASCII.GetBytes("li1ee"))
        {
            Assert.False(collector.TryTake(b, out _));
        }

        Assert.True(collector.HasPending);
        Assert.Equal("li1ee", Encoding.ASCII.GetString(collector.TakePending().Span));
        Assert.False(collector.HasPending);
    }

    [Fact]
    public void A_collection_holding_only_bytes_is_one_input()
    {
        var collector = new BencodeInputCollector();
        Assert.True(collector.TryTake(new object[] { (byte)'i', (byte)'2', (byte)'e' }, out var data));
        Assert.Equal("i2e", Encoding.ASCII.GetString(data.Span));
    }

    [Fact]
    public void Wrapped_inputs_are_unwrapped_by_the_adapter()
    {
        var collector = new BencodeInputCollector(new BoxAdapter());
        Assert.True(collector.TryTake(new Box("i3e"), out var data));
        Assert.Equal("i3e", Encoding.ASCII.GetString(data.Span));
        Assert.True(collector.TryTake(new object[] { new Box((byte)'i'), new Box((byte)'4'), (byte)'e' }, out data));
        Assert.Equal("i4e", Encoding.ASCII.GetString(data.Span));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(null)]
    public void Anything_else_is_refused_with_InvalidBencodeInput(object? input)
    {
        var ex = Assert.Throws<TorrentPSException>(() => new BencodeInputCollector().TryTake(input, out _));
        Assert.Equal("InvalidBencodeInput", ex.ErrorId);
    }

    [Fact]
    public void A_collection_of_numbers_that_are_not_bytes_is_refused()
    {
        Assert.Throws<TorrentPSException>(() => new BencodeInputCollector().TryTake(new object[] { 105, 49, 101 }, out _));
    }

    private sealed record Box(object Inner);

    private sealed class BoxAdapter : IBencodeObjectAdapter
    {
        public object? Adapt(object? value) => value is Box b ? b.Inner : value;
    }
}
