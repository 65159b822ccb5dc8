using System.Text;

namespace TorrentPS.Fuzz;

/// <summary>
/// Makes inputs from seeds with a seeded <see cref="Random"/> (the same seed, the same inputs): bit flips, interesting
/// bytes and numbers, insertions, deletions, splices with other seeds, hostile text (controls, bidirectional overrides,
/// huge length prefixes) and repeated chunks, several at a time. No coverage feedback: the seeds and the mutations
/// aim at the shapes the parsers care about.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[][] Tokens =
    [
        "i"u8.ToArray(), "e"u8.ToArray(), "l"u8.ToArray(), "d"u8.ToArray(), ":"u8.ToArray(), "0:"u8.ToArray(), "le"u8.ToArray(), "de"u8.ToArray(),
        "i-0e"u8.ToArray(), "i-9223372036854775808e"u8.ToArray(), "i9223372036854775808e"u8.ToArray(), "99999999999:"u8.ToArray(),
        "4:path"u8.ToArray(), "5:files"u8.ToArray(), "4:name"u8.ToArray(), "6:length"u8.ToArray(), "2:.."u8.ToArray(), "1:/"u8.ToArray(),
        "3:CON"u8.ToArray(), "13:announce-list"u8.ToArray(), "8:url-list"u8.ToArray(), "14:failure reason"u8.ToArray(),
        "\n"u8.ToArray(), "\u001b[2J"u8.ToArray(), Encoding.UTF8.GetBytes("\u0085\u009b\u202e\u2028"), [0xff, 0xfe], [0xed, 0xa0, 0x80],
        "%0A"u8.ToArray(), "%1B"u8.ToArray(), "&tr="u8.ToArray(), "&xt=urn:btih:"u8.ToArray(), "%"u8.ToArray(),
    ];

    private static readonly int[] Interesting = [0, 1, 7, 8, 15, 16, 127, 128, 255, 256, 16383, 16384, 16385, 65535, 65536, int.MaxValue, -1, int.MinValue];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>A new input from <paramref name="seeds"/>: a seed (now and then a random one), mutated one to eight times, at most <paramref name="maxLength"/> bytes.</summary>
    public byte[] Next(IReadOnlyList<byte[]> seeds, int maxLength)
    {
        if (_random.Next(64) == 0)
        {
            var noise = new byte[_random.Next(0, 64)];
            _random.NextBytes(noise);
            return noise;
        }

        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        var rounds = _random.Next(3) == 0 ? 1 + _random.Next(8) : 1;
        for (var i = 0; i < rounds; i++)
        {
            Mutate(data, seeds);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return data.ToArray();
    }

    private void Mutate(List<byte> data, IReadOnlyList<byte[]> seeds)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(11))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = (byte)_random.Next(256);
                break;
            case 2:
                data.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 4:
                data.InsertRange(at, Encoding.ASCII.GetBytes(Interesting[_random.Next(Interesting.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture)));
                break;
            case 5 when data.Count > 4:
                // Four bytes of a big-endian integer: the binary protocols' lengths, ids and counts.
                var value = Interesting[_random.Next(Interesting.Length)];
                var offset = _random.Next(data.Count - 3);
                for (var k = 0; k < 4; k++)
                {
                    data[offset + k] = (byte)(value >> (24 - (8 * k)));
                }

                break;
            case 6:
                // Splice: a piece of another seed.
                var other = seeds[_random.Next(seeds.Count)];
                if (other.Length > 0)
                {
                    var from = _random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(64))).ToArray());
                }

                break;
            case 7 when data.Count > 0:
                // A chunk repeated: long names, deep nesting, many keys.
                var length = Math.Min(data.Count - at, 1 + _random.Next(16));
                var chunk = data.GetRange(at, length);
                var times = 1 + _random.Next(_random.Next(4) == 0 ? 2000 : 16);
                for (var k = 0; k < times; k++)
                {
                    data.InsertRange(at, chunk);
                }

                break;
            case 8 when data.Count > 0:
                // Truncate.
                data.RemoveRange(at, data.Count - at);
                break;
            case 9 when data.Count > 1:
                // Swap two bytes.
                var j = _random.Next(data.Count);
                (data[at], data[j]) = (data[j], data[at]);
                break;
            default:
                data.Insert(at, (byte)"ied:0123456789-"[_random.Next(15)]);
                break;
        }
    }
}
