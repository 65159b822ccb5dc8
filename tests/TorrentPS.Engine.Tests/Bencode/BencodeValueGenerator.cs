using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

/// <summary>
/// A small seeded generator of arbitrary bencode values for property-style tests: integers at the
/// 64-bit edges, byte strings with any bytes (empty, binary, UTF-8, digits and 'e'), nested lists and
/// dictionaries whose keys come in any order (but never twice, which bencode cannot encode).
/// The same seed always gives the same values, so a failure names the seed that reproduces it.
/// </summary>
internal sealed class BencodeValueGenerator
{
    private static readonly long[] EdgeIntegers = [0, 1, -1, 9, 10, -10, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1, int.MaxValue, int.MinValue, 1L << 53];

    private readonly Random _random;

    public BencodeValueGenerator(int seed) => _random = new Random(seed);

    public BencodeValue Next(int maxDepth = 4) => NextValue(maxDepth);

    public byte[] NextBytes(int maxLength)
    {
        var bytes = new byte[_random.Next(maxLength + 1)];
        switch (_random.Next(4))
        {
            case 0:
                _random.NextBytes(bytes);
                break;
            case 1:
                // Bytes that look like bencode syntax.
                const string syntax = "ilde:0123456789-";
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)syntax[_random.Next(syntax.Length)];
                }

                break;
            default:
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)_random.Next('a', 'z' + 1);
                }

                break;
        }

        return bytes;
    }

    private BencodeValue NextValue(int depth)
    {
        var kind = depth <= 0 ? _random.Next(2) : _random.Next(4);
        return kind switch
        {
            0 => new BencodeInteger(NextInteger()),
            1 => new BencodeString(NextBytes(24)),
            2 => new BencodeList(Enumerable.Range(0, _random.Next(5)).Select(_ => NextValue(depth - 1)).ToArray()),
            _ => NextDictionary(depth),
        };
    }

    private BencodeDictionary NextDictionary(int depth)
    {
        var entries = new List<KeyValuePair<BencodeString, BencodeValue>>();
        var count = _random.Next(5);
        for (var i = 0; i < count; i++)
        {
            var key = new BencodeString(NextBytes(8));
            if (entries.Exists(e => e.Key.Equals(key)))
            {
                continue;
            }

            entries.Add(new(key, NextValue(depth - 1)));
        }

        return new BencodeDictionary(entries);
    }

    private long NextInteger() => _random.Next(3) switch
    {
        0 => EdgeIntegers[_random.Next(EdgeIntegers.Length)],
        1 => _random.Next(-1000, 1000),
        _ => _random.NextInt64(long.MinValue, long.MaxValue),
    };
}
