using System.Security.Cryptography;
using System.Text;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Metainfo;

/// <summary>
/// Builds .torrent bytes for tests from content the test chooses, with real piece hashes, and lets a
/// test replace or remove any key of the root or the info dictionary to make it invalid on purpose.
/// </summary>
internal sealed class TestTorrent
{
    private readonly SortedDictionary<string, BencodeValue> _root = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, BencodeValue> _info = new(StringComparer.Ordinal);

    private TestTorrent()
    {
    }

    /// <summary>A single-file torrent of <paramref name="content"/>.</summary>
    public static TestTorrent SingleFile(string name, byte[] content, int pieceLength = 16)
    {
        var torrent = new TestTorrent();
        torrent._root["announce"] = new BencodeString("http://127.0.0.1:6969/announce");
        torrent._info["name"] = new BencodeString(name);
        torrent._info["length"] = new BencodeInteger(content.Length);
        torrent._info["piece length"] = new BencodeInteger(pieceLength);
        torrent._info["pieces"] = new BencodeString(PieceHashes(content, pieceLength));
        return torrent;
    }

    /// <summary>A multi-file torrent; each file is a '/'-separated path and its content.</summary>
    public static TestTorrent MultiFile(string name, IReadOnlyList<(string Path, byte[] Content)> files, int pieceLength = 16)
    {
        var torrent = new TestTorrent();
        torrent._root["announce"] = new BencodeString("http://127.0.0.1:6969/announce");
        torrent._info["name"] = new BencodeString(name);
        torrent._info["files"] = new BencodeList(files.Select(f => (BencodeValue)FileEntry(f.Content.Length, f.Path.Split('/'))).ToArray());
        torrent._info["piece length"] = new BencodeInteger(pieceLength);
        torrent._info["pieces"] = new BencodeString(PieceHashes(files.SelectMany(f => f.Content).ToArray(), pieceLength));
        return torrent;
    }

    public static BencodeDictionary FileEntry(long length, params string[] path)
        => Dict(("length", new BencodeInteger(length)), ("path", new BencodeList(path.Select(p => (BencodeValue)new BencodeString(p)).ToArray())));

    public static BencodeDictionary Dict(params (string Key, BencodeValue Value)[] entries)
        => new(entries.Select(e => new KeyValuePair<string, BencodeValue>(e.Key, e.Value)));

    public static BencodeList List(params BencodeValue[] items) => new(items);

    public static BencodeString Str(string text) => new(text);

    public static BencodeInteger Int(long value) => new(value);

    public static byte[] PieceHashes(byte[] content, int pieceLength)
    {
        using var stream = new MemoryStream();
        for (var offset = 0; offset < content.Length; offset += pieceLength)
        {
            stream.Write(SHA1.HashData(content.AsSpan(offset, Math.Min(pieceLength, content.Length - offset))));
        }

        return stream.ToArray();
    }

    public static byte[] Content(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public TestTorrent Root(string key, BencodeValue? value) => Set(_root, key, value);

    public TestTorrent Info(string key, BencodeValue? value) => Set(_info, key, value);

    /// <summary>Sets <paramref name="key"/> in <paramref name="dictionary"/>, or removes it when <paramref name="value"/> is null.</summary>
    private TestTorrent Set(IDictionary<string, BencodeValue> dictionary, string key, BencodeValue? value)
    {
        if (value is null)
        {
            dictionary.Remove(key);
        }
        else
        {
            dictionary[key] = value;
        }

        return this;
    }

    public byte[] InfoBytes() => BencodeEncoder.Encode(new BencodeDictionary(_info));

    public byte[] ToBytes()
    {
        var root = new SortedDictionary<string, BencodeValue>(_root, StringComparer.Ordinal) { ["info"] = new BencodeDictionary(_info) };
        return BencodeEncoder.Encode(new BencodeDictionary(root));
    }

    /// <summary>The SHA-1 of the info dictionary's bytes, computed here independently of the parser.</summary>
    public string ExpectedInfoHashHex() => Convert.ToHexString(SHA1.HashData(InfoBytes())).ToLowerInvariant();

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);
}
