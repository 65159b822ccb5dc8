using System.Collections;
using System.Collections.Specialized;
using System.Numerics;
using System.Text;
using TorrentPS.Conversion;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Module.Tests.Conversion;

public class BencodeObjectConverterTests
{
    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static string EncodeText(object? value) => Encoding.UTF8.GetString(BencodeObjectConverter.Encode(value));

    [Fact]
    public void Dictionaries_become_ordered_dictionaries_in_file_order()
    {
        var result = Assert.IsType<OrderedDictionary>(BencodeObjectConverter.Decode(Ascii("d1:zi1e1:a3:abc1:ml1:xi-5eee")));
        Assert.Equal(new object[] { "z", "a", "m" }, result.Keys.Cast<object>().ToArray());
        Assert.Equal(1L, result["z"]);
        Assert.Equal("abc", result["a"]);
        Assert.Equal(new object[] { "x", -5L }, Assert.IsType<object[]>(result["m"]));
    }

    [Fact]
    public void Dictionary_keys_are_case_sensitive_like_bencode_bytes()
    {
        var result = Assert.IsType<OrderedDictionary>(BencodeObjectConverter.Decode(Ascii("d1:Ai1e1:ai2ee")));
        Assert.Equal(2, result.Count);
        Assert.Equal(1L, result["A"]);
        Assert.Equal(2L, result["a"]);
    }

    [Fact]
    public void Integers_become_long()
    {
        Assert.Equal(long.MinValue, BencodeObjectConverter.Decode(Ascii("i-9223372036854775808e")));
        Assert.IsType<long>(BencodeObjectConverter.Decode(Ascii("i0e")));
    }

    [Fact]
    public void Valid_utf8_strings_become_strings_and_other_bytes_stay_bytes()
    {
        Assert.Equal("héllo", BencodeObjectConverter.Decode(Encoding.UTF8.GetBytes("6:héllo")));
        var binary = BencodeObjectConverter.Decode(new byte[] { (byte)'3', (byte)':', 0xff, 0x00, 0xc3 });
        Assert.Equal(new byte[] { 0xff, 0x00, 0xc3 }, Assert.IsType<byte[]>(binary));
    }

    [Fact]
    public void Lists_become_object_arrays()
    {
        var list = Assert.IsType<object[]>(BencodeObjectConverter.Decode(Ascii("li1ed1:ai2eelee")));
        Assert.Equal(1L, list[0]);
        Assert.IsType<OrderedDictionary>(list[1]);
        Assert.Empty(Assert.IsType<object[]>(list[2]));
    }

    [Fact]
    public void Malformed_input_fails_with_InvalidBencode_and_the_offset()
    {
        var ex = Assert.Throws<BencodeException>(() => BencodeObjectConverter.Decode(Ascii("d1:ai1e")));
        Assert.Equal("InvalidBencode", ex.ErrorId);
        Assert.Equal(7, ex.Offset);
    }

    [Fact]
    public void Non_utf8_keys_become_byte_array_keys_and_convert_back_unchanged()
    {
        var input = new byte[] { (byte)'d', (byte)'1', (byte)':', 0xfe, (byte)'i', (byte)'1', (byte)'e', (byte)'e' };
        var dict = Assert.IsType<OrderedDictionary>(BencodeObjectConverter.Decode(input));
        var key = Assert.IsType<byte[]>(dict.Keys.Cast<object>().Single());
        Assert.Equal(new byte[] { 0xfe }, key);
        Assert.Equal(input, BencodeObjectConverter.Encode(dict));
    }

    [Fact]
    public void Hashtables_encode_with_keys_sorted_as_raw_bytes()
    {
        var table = new Hashtable { ["b"] = 2, ["a"] = "x", ["B"] = 1 };
        Assert.Equal("d1:Bi1e1:a1:x1:bi2ee", EncodeText(table));
    }

    [Fact]
    public void Ordered_dictionaries_and_generic_dictionaries_encode()
    {
        var ordered = new OrderedDictionary { ["z"] = 1, ["a"] = new object[] { "p", 2 } };
        Assert.Equal("d1:al1:pi2ee1:zi1ee", EncodeText(ordered));
        Assert.Equal("d3:keyi7ee", EncodeText(new Dictionary<string, int> { ["key"] = 7 }));
    }

    [Fact]
    public void Every_integral_type_encodes_as_an_integer()
    {
        object[] values = [(sbyte)-1, (byte)2, (short)-3, (ushort)4, -5, 6u, -7L, 8UL, new BigInteger(9)];
        Assert.Equal("li-1ei2ei-3ei4ei-5ei6ei-7ei8ei9ee", EncodeText(values));
        Assert.Equal("i9223372036854775807e", EncodeText(long.MaxValue));
    }

    [Fact]
    public void Byte_arrays_encode_as_byte_strings_and_strings_as_utf8()
    {
        Assert.Equal(new byte[] { (byte)'2', (byte)':', 0xff, 0x01 }, BencodeObjectConverter.Encode(new byte[] { 0xff, 0x01 }));
        Assert.Equal("2:é", EncodeText("é"));
        Assert.Equal("0:", EncodeText(string.Empty));
    }

    [Fact]
    public void Lists_of_any_enumerable_encode_in_order()
    {
        Assert.Equal("li3ei1ei2ee", EncodeText(new List<int> { 3, 1, 2 }));
        Assert.Equal("le", EncodeText(Array.Empty<object>()));
    }

    [Fact]
    public void Property_bags_encode_as_dictionaries()
    {
        var bag = new PropertyBag([new("name", "x"), new("length", 5L)]);
        Assert.Equal("d6:lengthi5e4:name1:xe", EncodeText(bag));
    }

    [Fact]
    public void The_adapter_is_applied_to_every_nested_value_and_key()
    {
        var adapter = new UnwrapAdapter();
        var value = new Wrapped(new Hashtable { [new Wrapped("k")] = new object[] { new Wrapped(1), new Wrapped(new Wrapped("s")) } });
        Assert.Equal("d1:kli1e1:see", Encoding.UTF8.GetString(BencodeObjectConverter.Encode(value, adapter)));
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(2f)]
    [InlineData(true)]
    public void Floats_and_bools_are_refused_with_UnsupportedBencodeValue(object value)
    {
        var ex = Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(new Hashtable { ["v"] = value }));
        Assert.Equal("UnsupportedBencodeValue", ex.ErrorId);
        Assert.Equal(TorrentPS.Engine.Errors.TorrentErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("$.v", ex.ValuePath);
    }

    [Fact]
    public void Null_decimal_and_datetime_are_refused_saying_where()
    {
        Assert.Equal("$[1]", Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(new object?[] { 1, null })).ValuePath);
        Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(1.5m));
        Assert.Contains("DateTime", Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(DateTime.UnixEpoch)).Message);
    }

    [Fact]
    public void Integers_beyond_64_bits_are_refused()
    {
        Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(ulong.MaxValue));
        Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(BigInteger.Pow(2, 70)));
    }

    [Fact]
    public void Non_string_keys_are_refused()
    {
        var ex = Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(new Hashtable { [1] = "one" }));
        Assert.Contains("Int32", ex.Message);
    }

    [Fact]
    public void A_key_given_twice_as_text_and_bytes_is_refused()
    {
        var dict = new OrderedDictionary { ["a"] = 1, [new byte[] { (byte)'a' }] = 2 };
        Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(dict));
    }

    [Fact]
    public void Nesting_beyond_the_reader_limit_is_refused_and_cycles_end_there()
    {
        object value = 1;
        for (var i = 0; i < BencodeObjectConverter.MaxDepth + 1; i++)
        {
            value = new object[] { value };
        }

        Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(value));

        var cyclic = new Hashtable();
        cyclic["self"] = cyclic;
        Assert.Contains("nesting", Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(cyclic)).Message);
    }

    [Fact]
    public void The_deepest_nesting_it_writes_reads_back()
    {
        object value = 1;
        for (var i = 0; i < BencodeObjectConverter.MaxDepth; i++)
        {
            value = new object[] { value };
        }

        var bytes = BencodeObjectConverter.Encode(value);
        Assert.IsType<object[]>(BencodeObjectConverter.Decode(bytes));
    }

    [Fact]
    public void Arbitrary_objects_are_refused_with_their_type_name()
    {
        var ex = Assert.Throws<UnsupportedBencodeValueException>(() => BencodeObjectConverter.Encode(new Uri("http://127.0.0.1/")));
        Assert.Contains("System.Uri", ex.Message);
    }

    [Fact]
    public void A_torrent_shaped_value_round_trips_byte_for_byte()
    {
        var pieces = new byte[40];
        new Random(7).NextBytes(pieces);
        var info = new OrderedDictionary { ["length"] = 5L, ["name"] = "a.txt", ["piece length"] = 16384L, ["pieces"] = pieces };
        var torrent = new OrderedDictionary { ["announce"] = "http://127.0.0.1:6969/announce", ["info"] = info };
        var bytes = BencodeObjectConverter.Encode(torrent);
        var back = Assert.IsType<OrderedDictionary>(BencodeObjectConverter.Decode(bytes));
        Assert.Equal(pieces, ((OrderedDictionary)back["info"]!)["pieces"]);
        Assert.Equal(bytes, BencodeObjectConverter.Encode(back));
    }

    [Fact]
    public void Text_output_refuses_bencode_that_is_not_utf8()
    {
        Assert.Equal("d1:ai1ee", BencodeObjectConverter.EncodeToText(new Hashtable { ["a"] = 1 }));
        var ex = Assert.Throws<BencodeNotTextException>(() => BencodeObjectConverter.EncodeToText(new byte[] { 0xff }));
        Assert.Equal("BencodeNotText", ex.ErrorId);
    }

    private sealed record Wrapped(object Inner);

    private sealed class UnwrapAdapter : IBencodeObjectAdapter
    {
        public object? Adapt(object? value) => value is Wrapped w ? Adapt(w.Inner) : value;
    }
}
