using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

public class BencodeReaderStrictnessTests
{
    private static BencodeValue Decode(string text, BencodeReaderOptions? options = null)
        => BencodeDecoder.Decode(Encoding.ASCII.GetBytes(text), options);

    private static BencodeException Fails(string text, BencodeReaderOptions? options = null)
        => Assert.Throws<BencodeException>(() => Decode(text, options));

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i7e", 7L)]
    [InlineData("i-7e", -7L)]
    [InlineData("i1234567890e", 1234567890L)]
    public void Reads_integers(string input, long expected)
        => Assert.Equal(expected, ((BencodeInteger)Decode(input)).Value);

    [Theory]
    [InlineData("0:", "")]
    [InlineData("5:hello", "hello")]
    [InlineData("3:i1e", "i1e")]
    [InlineData("2:::", "::")]
    public void Reads_byte_strings(string input, string expected)
        => Assert.Equal(expected, ((BencodeString)Decode(input)).Text);

    [Fact]
    public void Reads_nested_containers()
    {
        var value = (BencodeDictionary)Decode("d4:listli1e0:lee4:dictd1:xi-1eee");
        var list = value.Get<BencodeList>("list")!;
        Assert.Equal(3, list.Count);
        Assert.Equal(1, ((BencodeInteger)list[0]).Value);
        Assert.Equal(0, ((BencodeString)list[1]).Length);
        Assert.Empty((BencodeList)list[2]);
        Assert.Equal(-1, value.Get<BencodeDictionary>("dict")!.Get<BencodeInteger>("x")!.Value);
    }

    [Theory]
    [InlineData("", 0, "end of input")]
    [InlineData("x", 0, "expected a value")]
    [InlineData("i", 1, "expected a digit")]
    [InlineData("i-e", 2, "expected a digit")]
    [InlineData("i--1e", 2, "expected a digit")]
    [InlineData("i+1e", 1, "expected a digit")]
    [InlineData("i 1e", 1, "expected a digit")]
    [InlineData("i1", 2, "expected 'e'")]
    [InlineData("i1.5e", 2, "expected 'e'")]
    [InlineData("i00e", 1, "leading zero")]
    [InlineData("i-01e", 2, "leading zero")]
    [InlineData("i-0e", 1, "negative zero")]
    [InlineData("i9223372036854775808e", 1, "64 bits")]
    [InlineData("i-9223372036854775809e", 2, "64 bits")]
    [InlineData("i99999999999999999999999999e", 1, "64 bits")]
    [InlineData("-1:a", 0, "negative")]
    [InlineData("1", 1, "expected ':'")]
    [InlineData("1x", 1, "expected ':'")]
    [InlineData("5x", 0, "larger than the 2 bytes left")]
    [InlineData("00:", 0, "leading zero")]
    [InlineData("4:abc", 0, "runs past the end")]
    [InlineData("99999999999999999999999:a", 0, "larger than")]
    [InlineData("l", 1, "expected 'e' to end the list opened at byte 0")]
    [InlineData("li1e", 4, "expected 'e' to end the list")]
    [InlineData("d", 1, "expected a key or 'e'")]
    [InlineData("d1:a", 4, "expected a value for the key at byte 1")]
    [InlineData("d1:ae", 4, "expected a value for the key at byte 1")]
    [InlineData("di1ei2ee", 1, "expected a byte-string key")]
    [InlineData("dli1eei2ee", 1, "expected a byte-string key")]
    [InlineData("dd1:ai1eei2ee", 1, "expected a byte-string key")]
    [InlineData("i1ex", 3, "expected end of input")]
    [InlineData("le0:", 2, "2 trailing bytes")]
    [InlineData("e", 0, "expected a value")]
    public void Reports_the_offset_and_what_was_expected(string input, long offset, string expected)
    {
        var error = Fails(input);
        Assert.Equal(offset, error.Offset);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Invalid bencode at byte {offset}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidBencode", error.ErrorId);
        Assert.Equal(Errors.TorrentErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public void Every_error_message_says_what_was_expected_or_what_is_wrong()
    {
        string[] inputs = ["", "x", "i", "i1", "i00e", "i-0e", "-1:a", "1x", "5x", "4:abc", "l", "d", "di1ei2ee", "i1ex", "i99999999999999999999e"];
        foreach (var input in inputs)
        {
            var reason = Fails(input).Reason;
            Assert.True(
                reason.Contains("expected", StringComparison.Ordinal),
                $"'{input}': the reason '{reason}' does not say what was expected");
        }
    }

    [Fact]
    public void Accepts_keys_out_of_order_and_reports_it()
    {
        var dict = (BencodeDictionary)Decode("d1:bi1e1:ai2ee");
        Assert.False(dict.IsCanonicalOrder);
        Assert.False(dict.HasDuplicateKeys);
        Assert.Equal("b", dict[0].Key.Text);
        Assert.Equal(2, dict.Get<BencodeInteger>("a")!.Value);
    }

    [Fact]
    public void Accepts_duplicate_keys_reports_them_and_looks_up_the_first()
    {
        var dict = (BencodeDictionary)Decode("d1:ai1e1:ai2ee");
        Assert.True(dict.HasDuplicateKeys);
        Assert.False(dict.IsCanonicalOrder);
        Assert.Equal(1, dict.Get<BencodeInteger>("a")!.Value);
    }

    [Fact]
    public void Canonical_dictionaries_say_so()
    {
        var dict = (BencodeDictionary)Decode("d0:i0e1:Ai0e1:ai0e2:aai0ee");
        Assert.True(dict.IsCanonicalOrder);
        Assert.False(dict.HasDuplicateKeys);
    }

    [Fact]
    public void Keys_compare_as_raw_bytes_not_as_text()
    {
        // 0xC3 (start of UTF-8 'é') sorts after 'z' as a byte.
        var bytes = new byte[] { (byte)'d', (byte)'1', (byte)':', (byte)'z', (byte)'i', (byte)'1', (byte)'e', (byte)'1', (byte)':', 0xC3, (byte)'i', (byte)'2', (byte)'e', (byte)'e' };
        Assert.True(((BencodeDictionary)BencodeDecoder.Decode(bytes)).IsCanonicalOrder);
    }

    [Fact]
    public void Hands_back_the_exact_raw_bytes_and_offset_of_every_value()
    {
        const string text = "d1:bi1e1:ad1:yi2e1:xl3:abcee1:ci-3ee";
        var bytes = Encoding.ASCII.GetBytes(text);
        var root = (BencodeDictionary)BencodeDecoder.Decode(bytes);
        Assert.Equal(text, Encoding.ASCII.GetString(root.Raw.Span));
        Assert.Equal(0, root.SourceOffset);
        var inner = root.Get<BencodeDictionary>("a")!;
        Assert.Equal("d1:yi2e1:xl3:abcee", Encoding.ASCII.GetString(inner.Raw.Span));
        Assert.Equal(text.IndexOf("d1:y", StringComparison.Ordinal), inner.SourceOffset);

        // The raw bytes of a non-canonical value are kept as written, not re-encoded.
        Assert.NotEqual(inner.Raw.ToArray(), BencodeEncoder.Encode(inner));
        var list = inner.Get<BencodeList>("x")!;
        Assert.Equal("l3:abce", Encoding.ASCII.GetString(list.Raw.Span));
        Assert.Equal("3:abc", Encoding.ASCII.GetString(list[0].Raw.Span));
        Assert.Equal("i-3e", Encoding.ASCII.GetString(root.Get<BencodeInteger>("c")!.Raw.Span));
        Assert.Equal("1:b", Encoding.ASCII.GetString(root[0].Key.Raw.Span));
    }

    [Fact]
    public void Decode_prefix_leaves_the_bytes_after_the_value()
    {
        var bytes = Encoding.ASCII.GetBytes("d8:msg_typei1eeRAWPIECEDATA");
        var value = BencodeDecoder.DecodePrefix(bytes, out var consumed);
        Assert.Equal(15, consumed);
        Assert.Equal(1, ((BencodeDictionary)value).Get<BencodeInteger>("msg_type")!.Value);
    }

    [Fact]
    public void Decode_dictionary_refuses_other_values()
    {
        var error = Assert.Throws<BencodeException>(() => BencodeDecoder.DecodeDictionary(Encoding.ASCII.GetBytes("li1ee")));
        Assert.Equal(0, error.Offset);
        Assert.Contains("expected a dictionary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_at_the_limit_is_read_and_one_deeper_is_refused()
    {
        var options = new BencodeReaderOptions { MaxDepth = 3 };
        Assert.IsType<BencodeList>(Decode("llleee", options));
        Assert.IsType<BencodeDictionary>(Decode("d1:ad1:ali1eeee", options));
        var error = Fails("lllleeee", options);
        Assert.Equal(3, error.Offset);
        Assert.Contains("nesting deeper than 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_depth_limit_handles_hostile_nesting_of_dictionaries_too()
    {
        var deep = string.Concat(Enumerable.Repeat("d1:a", 50_000)) + "i1e" + new string('e', 50_000);
        var error = Fails(deep);
        Assert.Equal(BencodeReaderOptions.Default.MaxDepth * 4, error.Offset);
    }

    [Fact]
    public void Refuses_input_larger_than_the_limit_before_reading_it()
    {
        var error = Fails("i12345e", new BencodeReaderOptions { MaxInputLength = 6 });
        Assert.Equal(0, error.Offset);
        Assert.Contains("larger than the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_more_values_than_the_limit()
    {
        var options = new BencodeReaderOptions { MaxValueCount = 3 };
        Assert.IsType<BencodeList>(Decode("li1ei2ee", options));
        var error = Fails("li1ei2ei3ee", options);
        Assert.Equal(7, error.Offset);
    }

    [Fact]
    public void Millions_of_tiny_values_stop_at_the_default_value_limit()
    {
        // Empty lists: two bytes per object. The decoder stops at the limit instead of allocating them all.
        var count = BencodeReaderOptions.Default.MaxValueCount + 500_000;
        var bytes = new byte[(count * 2) + 2];
        bytes[0] = (byte)'l';
        for (var i = 0; i < count; i++)
        {
            bytes[1 + (2 * i)] = (byte)'l';
            bytes[2 + (2 * i)] = (byte)'e';
        }

        bytes[^1] = (byte)'e';
        var error = Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(bytes));
        Assert.Equal(1 + ((long)BencodeReaderOptions.Default.MaxValueCount - 1) * 2, error.Offset);
        Assert.Contains("more than 3000000 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_declared_string_length_is_an_error_not_an_allocation()
    {
        var error = Fails("2147483647:abc");
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Keeps_binary_strings_byte_for_byte()
    {
        var bytes = new byte[] { (byte)'4', (byte)':', 0x00, 0xFF, 0x80, (byte)'e' };
        var value = (BencodeString)BencodeDecoder.Decode(bytes);
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x80, (byte)'e' }, value.Bytes.ToArray());
        Assert.False(value.TryGetUtf8(out _));
    }
}
