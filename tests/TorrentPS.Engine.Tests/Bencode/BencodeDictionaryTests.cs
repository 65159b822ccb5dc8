using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

public class BencodeDictionaryTests
{
    private static BencodeDictionary Decode(string text) => (BencodeDictionary)BencodeDecoder.Decode(Encoding.ASCII.GetBytes(text));

    // BencodeValue equality, not xunit's element-by-element comparison of enumerables.
    private static void AssertEqual(BencodeValue expected, BencodeValue actual)
        => Assert.True(expected.Equals(actual), $"expected {Encoding.ASCII.GetString(expected.Raw.Span)}, got {Encoding.ASCII.GetString(actual.Raw.Span)}");

    private static void AssertNotEqual(BencodeValue expected, BencodeValue actual)
        => Assert.False(expected.Equals(actual), "the values are equal");

    [Fact]
    public void Dictionaries_with_the_same_entries_in_another_order_are_equal_with_equal_hashes()
    {
        var read = Decode("d1:bi1e1:ai2ee");
        var canonical = Decode("d1:ai2e1:bi1ee");
        AssertEqual(canonical, read);
        Assert.Equal(canonical.GetHashCode(), read.GetHashCode());
    }

    [Fact]
    public void Dictionaries_that_differ_in_a_key_or_value_are_not_equal()
    {
        AssertNotEqual(Decode("d1:ai1ee"), Decode("d1:ai2ee"));
        AssertNotEqual(Decode("d1:ai1ee"), Decode("d1:bi1ee"));
        AssertNotEqual(Decode("d1:ai1ee"), Decode("d1:ai1e1:bi1ee"));
        AssertNotEqual(Decode("de"), BencodeDecoder.Decode(Encoding.ASCII.GetBytes("le")));
    }

    [Fact]
    public void Duplicate_keys_count_in_equality()
    {
        AssertNotEqual(Decode("d1:ai1e1:ai2ee"), Decode("d1:ai2e1:ai1ee"));
        AssertEqual(Decode("d1:ai1e1:bi0e1:ai2ee"), Decode("d1:bi0e1:ai1e1:ai2ee"));
    }

    [Fact]
    public void Lookups_by_text_and_by_bytes_agree()
    {
        var dict = Decode("d5:helloi1e12:piece lengthi16384ee");
        Assert.True(dict.ContainsKey("piece length"));
        Assert.True(dict.TryGetValue("hello"u8, out var hello));
        Assert.Equal(1, ((BencodeInteger)hello).Value);
        Assert.False(dict.ContainsKey("missing"));
        Assert.Null(dict.Get<BencodeString>("hello")); // wrong type gives null, not a cast error
        Assert.Equal(new[] { "hello", "piece length" }, dict.Keys.Select(k => k.Text));
    }

    [Fact]
    public void Lookups_work_for_keys_longer_than_the_stack_buffer()
    {
        var key = new string('k', 400);
        var dict = new BencodeDictionary(new KeyValuePair<string, BencodeValue>[] { new(key, new BencodeInteger(7)) });
        Assert.Equal(7, dict.Get<BencodeInteger>(key)!.Value);
    }

    [Fact]
    public void Lists_compare_in_order()
    {
        var a = BencodeDecoder.Decode(Encoding.ASCII.GetBytes("li1ei2ee"));
        var b = BencodeDecoder.Decode(Encoding.ASCII.GetBytes("li2ei1ee"));
        AssertNotEqual(a, b);
        AssertEqual(a, new BencodeList([new BencodeInteger(1), new BencodeInteger(2)]));
    }

    [Fact]
    public void Strings_compare_as_bytes()
    {
        AssertEqual(new BencodeString("abc"), new BencodeString(new byte[] { 97, 98, 99 }));
        AssertNotEqual(new BencodeString("abc"), new BencodeString("abC"));
        AssertNotEqual(new BencodeString("1"), new BencodeInteger(1));
    }
}
