using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

/// <summary>Round-trip properties over thousands of generated values; each seed reproduces its values.</summary>
public class BencodeRoundTripPropertyTests
{
    private const int ValuesPerSeed = 500;

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 42, 2026 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Decoding_an_encoded_value_gives_the_value_back(int seed)
    {
        var generator = new BencodeValueGenerator(seed);
        for (var i = 0; i < ValuesPerSeed; i++)
        {
            var value = generator.Next();
            var encoded = BencodeEncoder.Encode(value);
            var decoded = BencodeDecoder.Decode(encoded);
            Assert.True(value.Equals(decoded), $"seed {seed}, value {i}: decode(encode(x)) != x for {Convert.ToHexString(encoded)}");
            Assert.Equal(value.GetHashCode(), decoded.GetHashCode());
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Encoding_a_decoded_canonical_document_gives_the_same_bytes(int seed)
    {
        var generator = new BencodeValueGenerator(seed);
        for (var i = 0; i < ValuesPerSeed; i++)
        {
            var canonical = BencodeEncoder.Encode(generator.Next());
            var decoded = BencodeDecoder.Decode(canonical);
            Assert.True(canonical.AsSpan().SequenceEqual(BencodeEncoder.Encode(decoded)), $"seed {seed}, value {i}: encode(decode(b)) != b for {Convert.ToHexString(canonical)}");
            Assert.True(canonical.AsSpan().SequenceEqual(decoded.Raw.Span), $"seed {seed}, value {i}: Raw differs from the input");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Everything_the_writer_produces_is_canonical(int seed)
    {
        var generator = new BencodeValueGenerator(seed);
        for (var i = 0; i < ValuesPerSeed; i++)
        {
            var decoded = BencodeDecoder.Decode(BencodeEncoder.Encode(generator.Next()));
            AssertCanonical(decoded, $"seed {seed}, value {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Raw_bytes_of_every_nested_value_decode_to_that_value(int seed)
    {
        var generator = new BencodeValueGenerator(seed);
        for (var i = 0; i < ValuesPerSeed / 5; i++)
        {
            var root = BencodeDecoder.Decode(BencodeEncoder.Encode(generator.Next()));
            foreach (var value in Walk(root))
            {
                Assert.True(value.Equals(BencodeDecoder.Decode(value.Raw)), $"seed {seed}: the raw bytes of a nested value decode to something else");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Decode_prefix_stops_at_the_end_of_the_first_value(int seed)
    {
        var generator = new BencodeValueGenerator(seed);
        for (var i = 0; i < ValuesPerSeed / 5; i++)
        {
            var first = BencodeEncoder.Encode(generator.Next());
            var second = BencodeEncoder.Encode(generator.Next());
            var value = BencodeDecoder.DecodePrefix(first.Concat(second).ToArray(), out var consumed);
            Assert.Equal(first.Length, consumed);
            Assert.True(BencodeDecoder.Decode(first).Equals(value), $"seed {seed}: the prefix decoded to something else");
        }
    }

    private static void AssertCanonical(BencodeValue value, string where)
    {
        foreach (var item in Walk(value))
        {
            if (item is BencodeDictionary dict)
            {
                Assert.True(dict.IsCanonicalOrder, $"{where}: a dictionary is not in canonical order");
            }
        }
    }

    private static IEnumerable<BencodeValue> Walk(BencodeValue value)
    {
        yield return value;
        switch (value)
        {
            case BencodeList list:
                foreach (var item in list)
                {
                    foreach (var nested in Walk(item))
                    {
                        yield return nested;
                    }
                }

                break;
            case BencodeDictionary dict:
                foreach (var entry in dict)
                {
                    yield return entry.Key;
                    foreach (var nested in Walk(entry.Value))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}
