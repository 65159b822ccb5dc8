using System.Buffers;
using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

public class BencodeWriterTests
{
    private static string EncodeAscii(BencodeValue value) => Encoding.ASCII.GetString(BencodeEncoder.Encode(value));

    [Fact]
    public void Writes_the_four_kinds_of_value()
    {
        Assert.Equal("i52e", EncodeAscii(new BencodeInteger(52)));
        Assert.Equal("i-52e", EncodeAscii(new BencodeInteger(-52)));
        Assert.Equal("i0e", EncodeAscii(new BencodeInteger(0)));
        Assert.Equal("i-9223372036854775808e", EncodeAscii(new BencodeInteger(long.MinValue)));
        Assert.Equal("i9223372036854775807e", EncodeAscii(new BencodeInteger(long.MaxValue)));
        Assert.Equal("5:hello", EncodeAscii(new BencodeString("hello")));
        Assert.Equal("0:", EncodeAscii(new BencodeString(string.Empty)));
        Assert.Equal("l5:helloi52ee", EncodeAscii(new BencodeList([new BencodeString("hello"), new BencodeInteger(52)])));
        Assert.Equal("le", EncodeAscii(new BencodeList([])));
        Assert.Equal("de", EncodeAscii(new BencodeDictionary(Array.Empty<KeyValuePair<string, BencodeValue>>())));
    }

    [Fact]
    public void Sorts_dictionary_keys_as_raw_bytes()
    {
        var dict = new BencodeDictionary(new KeyValuePair<string, BencodeValue>[]
        {
            new("zeta", new BencodeInteger(1)),
            new("é", new BencodeInteger(2)),   // 0xC3 0xA9: after every ASCII key
            new("Alpha", new BencodeInteger(3)), // upper case sorts before lower case
            new("alpha", new BencodeInteger(4)),
            new("al", new BencodeInteger(5)),    // a prefix sorts first
        });
        Assert.Equal("d5:Alphai3e2:ali5e5:alphai4e4:zetai1e2:éi2ee", Encoding.UTF8.GetString(BencodeEncoder.Encode(dict)));
    }

    [Fact]
    public void String_lengths_count_utf8_bytes()
    {
        Assert.Equal(Encoding.UTF8.GetBytes("5:héé"), BencodeEncoder.Encode(new BencodeString("héé")));

        var buffer = new ArrayBufferWriter<byte>();
        new BencodeWriter(buffer).WriteString("日本");
        Assert.Equal(Encoding.UTF8.GetBytes("6:日本"), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Refuses_a_dictionary_built_with_a_key_twice_with_a_typed_error()
    {
        var dict = new BencodeDictionary(new KeyValuePair<string, BencodeValue>[]
        {
            new("b", new BencodeInteger(1)),
            new("a", new BencodeInteger(2)),
            new("b", new BencodeInteger(3)),
        });
        var error = Assert.Throws<BencodeDuplicateKeyException>(() => BencodeEncoder.Encode(dict));
        Assert.Contains("'b' more than once", error.Message, StringComparison.Ordinal);
        Assert.Equal("DuplicateBencodeKey", error.ErrorId);
        Assert.Equal("b", error.Key.Text);
    }

    [Fact]
    public void Refuses_values_nested_deeper_than_its_limit_instead_of_overflowing_the_stack()
    {
        BencodeValue value = new BencodeInteger(1);
        for (var i = 0; i < BencodeWriter.MaxDepth + 1; i++)
        {
            value = new BencodeList([value]);
        }

        var error = Assert.Throws<ArgumentException>(() => BencodeEncoder.Encode(value));
        Assert.Contains("deeper than", error.Message, StringComparison.Ordinal);

        BencodeValue atLimit = new BencodeInteger(1);
        for (var i = 0; i < BencodeWriter.MaxDepth; i++)
        {
            atLimit = new BencodeList([atLimit]);
        }

        Assert.Equal((BencodeWriter.MaxDepth * 2) + 3, BencodeEncoder.Encode(atLimit).Length);
    }

    [Fact]
    public void Hand_written_documents_use_the_low_level_calls()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(buffer);
        writer.WriteDictionaryStart();
        writer.WriteString("m");
        writer.WriteDictionaryStart();
        writer.WriteString("ut_metadata");
        writer.WriteInteger(3);
        writer.WriteEnd();
        writer.WriteString("v");
        writer.WriteString(Encoding.UTF8.GetBytes("TorrentPS 0.1"));
        writer.WriteEnd();
        Assert.Equal("d1:md11:ut_metadatai3ee1:v13:TorrentPS 0.1e", Encoding.ASCII.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Values_reject_null_members()
    {
        Assert.Throws<ArgumentException>(() => new BencodeList([null!]));
        Assert.Throws<ArgumentException>(() => new BencodeDictionary(new KeyValuePair<string, BencodeValue>[] { new("a", null!) }));
        Assert.Throws<ArgumentNullException>(() => BencodeEncoder.Encode(null!));
    }

    [Fact]
    public void A_decoded_dictionary_with_a_key_twice_is_refused_with_the_typed_error()
    {
        var decoded = (BencodeDictionary)BencodeDecoder.Decode("d1:ai1e1:ai2ee"u8.ToArray());
        Assert.True(decoded.HasDuplicateKeys);
        var error = Assert.Throws<BencodeDuplicateKeyException>(() => BencodeEncoder.Encode(decoded));
        Assert.Equal("a", error.Key.Text);
    }
}
