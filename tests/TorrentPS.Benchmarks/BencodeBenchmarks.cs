using BenchmarkDotNet.Attributes;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Benchmarks;

/// <summary>Decoding, canonical re-encoding and full torrent parsing of a metainfo-shaped document.</summary>
[MemoryDiagnoser]
public class BencodeBenchmarks
{
    private byte[] _document = [];
    private byte[] _torrent = [];
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

        // A valid torrent: the piece count must fit the total length (sum of 1000 + i over the files).
        long total = 0;
        for (var i = 0; i < Files; i++)
        {
            total += 1000 + i;
        }

        const int pieceLength = 16384;
        var pieces = (int)((total + pieceLength - 1) / pieceLength);
        var info = new BencodeDictionary(new KeyValuePair<string, BencodeValue>[]
        {
            new("files", new BencodeList(files)),
            new("name", new BencodeString("benchmark")),
            new("piece length", new BencodeInteger(pieceLength)),
            new("pieces", new BencodeString(new byte[20 * pieces])),
        });
        _torrent = BencodeEncoder.Encode(new BencodeDictionary(new KeyValuePair<string, BencodeValue>[]
        {
            new("announce", new BencodeString("http://127.0.0.1:6969/announce")),
            new("info", info),
        }));
    }

    [Benchmark]
    public BencodeValue Decode() => BencodeDecoder.Decode(_document);

    [Benchmark]
    public byte[] Encode() => BencodeEncoder.Encode(_value);

    [Benchmark]
    public TorrentInfo ParseTorrent() => TorrentInfo.Parse(_torrent);
}
