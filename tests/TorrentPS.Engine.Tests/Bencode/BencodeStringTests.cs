using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

public class BencodeStringTests
{
    [Theory]
    [InlineData(new byte[] { }, true)]
    [InlineData(new byte[] { 0x68, 0x69 }, true)]
    [InlineData(new byte[] { 0xC3, 0xA9 }, true)]               // é
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, true)]   // 😀
    [InlineData(new byte[] { 0xC3 }, false)]                    // cut short
    [InlineData(new byte[] { 0xFF }, false)]
    [InlineData(new byte[] { 0xC0, 0x80 }, false)]              // overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, false)]        // an encoded surrogate
    public void Tells_utf8_text_from_other_bytes(byte[] bytes, bool isText)
    {
        var value = new BencodeString(bytes);
        Assert.Equal(isText, value.TryGetUtf8(out var text));
        if (isText)
        {
            Assert.Equal(bytes, System.Text.Encoding.UTF8.GetBytes(text));
        }
        else
        {
            Assert.Equal(string.Empty, text);
            Assert.Contains('\uFFFD', value.Text);
        }
    }

    [Fact]
    public void Text_constructor_stores_utf8()
    {
        var value = new BencodeString("日本");
        Assert.Equal(6, value.Length);
        Assert.True(value.EqualsUtf8("日本"u8));
        Assert.Equal("日本", value.ToString());
    }
}
