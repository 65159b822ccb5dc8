using BenchmarkDotNet.Attributes;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Benchmarks;

/// <summary>Decoding and canonical re-encoding of a metainfo-shaped document.</summary>
[MemoryDiagnoser]
public class BencodeBenchmarks
{
    private byte[] _document = [];
    private BencodeValue _value = null!;

    [Params(100, 10_000)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var files = new List<BencodeValue>();
        for (var i = 0; i < Files; i++)
        {
            files.Add(new BencodeDictionary(new KeyValuePair<string, BencodeValue>[]
            {
                new("length", new BencodeInteger(1000 + i)),
                new("path", new BencodeList([new BencodeString("folder"), new BencodeString($"file{i}.bin")])),
            }));
        }

        _value = new BencodeDictionary(new KeyValuePair<string, BencodeValue>[]
        {
            new("files", new BencodeList(files)),
            new("name", new BencodeString("benchmark")),
            new("piece length", new BencodeInteger(262144)),
            new("pieces", new BencodeString(new byte[20 * Files])),
        });
        _document = BencodeEncoder.Encode(_value);
    }

    [Benchmark]
    public BencodeValue Decode() => BencodeDecoder.Decode(_document);

    [Benchmark]
    public byte[] Encode() => BencodeEncoder.Encode(_value);
}
