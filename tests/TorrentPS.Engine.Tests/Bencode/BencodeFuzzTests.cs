using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Bencode;

/// <summary>
/// Mutation fuzzing: valid documents with bytes flipped, inserted, deleted, duplicated or cut off.
/// The decoder must return a value or throw <see cref="BencodeException"/> with an offset inside
/// the input, never anything else, and never run away with the stack.
/// </summary>
public class BencodeFuzzTests
{
    private const int MutationsPerSeed = 4000;

    public static TheoryData<int> Seeds => new() { 7, 11, 1234, 99991 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_documents_decode_or_fail_with_a_bencode_exception(int seed)
    {
        var random = new Random(seed);
        var generator = new BencodeValueGenerator(seed);
        var seeds = new List<byte[]> { TorrentShapedDocument() };
        for (var i = 0; i < 32; i++)
        {
            seeds.Add(BencodeEncoder.Encode(generator.Next(maxDepth: 5)));
        }

        var decoded = 0;
        for (var i = 0; i < MutationsPerSeed; i++)
        {
            var original = seeds[random.Next(seeds.Count)];
            var mutated = Mutate(random, original);
            try
            {
                var value = BencodeDecoder.Decode(mutated);
                decoded++;

                // Whatever decodes must re-encode to something that decodes to the same value.
                if (!HasDuplicateKeys(value))
                {
                    Assert.True(value.Equals(BencodeDecoder.Decode(BencodeEncoder.Encode(value))), $"seed {seed}, mutation {i}: the re-encoded value differs");
                }
            }
            catch (BencodeException ex)
            {
                Assert.InRange(ex.Offset, 0, mutated.Length);
                Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, mutation {i}: {ex.GetType().Name} escaped for input {Convert.ToHexString(mutated)}: {ex}");
            }
        }

        // The mutations must not be so destructive that nothing decodes: both outcomes are exercised.
        Assert.InRange(decoded, 1, MutationsPerSeed - 1);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_bytes_decode_or_fail_with_a_bencode_exception(int seed)
    {
        var random = new Random(seed);
        const string alphabet = "ilde:0123456789-x";
        for (var i = 0; i < MutationsPerSeed; i++)
        {
            var bytes = new byte[random.Next(1, 64)];
            for (var j = 0; j < bytes.Length; j++)
            {
                bytes[j] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                BencodeDecoder.DecodePrefix(bytes, out var consumed);
                Assert.InRange(consumed, 1, bytes.Length);
            }
            catch (BencodeException ex)
            {
                Assert.InRange(ex.Offset, 0, bytes.Length);
            }
        }
    }

    [Fact]
    public void Every_truncation_of_a_document_fails_with_a_bencode_exception()
    {
        var document = TorrentShapedDocument();
        for (var length = 0; length < document.Length; length++)
        {
            var error = Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(document.AsMemory(0, length)));
            Assert.InRange(error.Offset, 0, length);
        }
    }

    [Fact]
    public void Hostile_nesting_of_every_shape_is_refused_without_exhausting_the_stack()
    {
        string[] openers = ["l", "d1:a", "ld1:a", "d1:al"];
        foreach (var opener in openers)
        {
            var hostile = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(opener, 200_000)));

            // A thread with a small stack: the depth bound, not luck with a big stack, keeps this safe.
            Exception? caught = null;
            var thread = new Thread(() => caught = Record.Exception(() => BencodeDecoder.Decode(hostile)), maxStackSize: 512 * 1024);
            thread.Start();
            thread.Join();
            Assert.IsType<BencodeException>(caught);
        }
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var position = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[position] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(position, (byte)"ilde:0123456789-"[random.Next(16)]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(position);
                    break;
                case 3:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
                case 4 when bytes.Count > 0:
                    var length = random.Next(1, Math.Min(16, bytes.Count - position) + 1);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(position, length));
                    break;
                default:
                    bytes.Insert(position, (byte)random.Next(256));
                    break;
            }
        }

        return bytes.ToArray();
    }

    private static bool HasDuplicateKeys(BencodeValue value) => value switch
    {
        BencodeDictionary dict => dict.HasDuplicateKeys || dict.Any(e => HasDuplicateKeys(e.Value)),
        BencodeList list => list.Any(HasDuplicateKeys),
        _ => false,
    };

    private static byte[] TorrentShapedDocument()
        => Encoding.ASCII.GetBytes(
            "d8:announce31:http://127.0.0.1:6969/announce7:comment4:test10:created by9:TorrentPS13:creation datei1700000000e" +
            "4:infod5:filesld6:lengthi5e4:pathl1:a5:b.txteed6:lengthi0e4:pathl5:emptyeee" +
            "4:name6:folder12:piece lengthi32768e6:pieces20:" + new string('x', 20) + "7:privatei1eee");
}
