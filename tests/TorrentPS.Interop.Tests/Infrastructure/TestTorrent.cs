using System.Security.Cryptography;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>A single-file torrent made by the tests with our BencodeWriter: random content and its .torrent.</summary>
public sealed class TestTorrent
{
    private TestTorrent(string dataDirectory, string dataPath, string torrentPath, TorrentInfo info)
    {
        DataDirectory = dataDirectory;
        DataPath = dataPath;
        TorrentPath = torrentPath;
        Info = info;
    }

    /// <summary>The folder that holds the content (a seeder's save path).</summary>
    public string DataDirectory { get; }

    public string DataPath { get; }

    public string TorrentPath { get; }

    public TorrentInfo Info { get; }

    public static TestTorrent Create(string folder, string name = "wire-test.bin", int length = (1024 * 1024) + 1000, int pieceLength = 256 * 1024, string? announce = null)
    {
        var dataDirectory = Path.Combine(folder, "data");
        Directory.CreateDirectory(dataDirectory);
        var content = RandomNumberGenerator.GetBytes(length);
        var dataPath = Path.Combine(dataDirectory, name);
        File.WriteAllBytes(dataPath, content);

        var pieces = new byte[((length + pieceLength - 1) / pieceLength) * 20];
        for (var i = 0; i * pieceLength < length; i++)
        {
            SHA1.HashData(content.AsSpan(i * pieceLength, Math.Min(pieceLength, length - (i * pieceLength))), pieces.AsSpan(i * 20, 20));
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(buffer);
        writer.WriteDictionaryStart();
        writer.WriteString("announce");
        writer.WriteString(announce ?? "http://127.0.0.1:1/announce"); // by default nothing listens: the tests connect to seeders directly
        writer.WriteString("created by");
        writer.WriteString("TorrentPS tests");
        writer.WriteString("info");
        writer.WriteDictionaryStart();
        writer.WriteString("length");
        writer.WriteInteger(length);
        writer.WriteString("name");
        writer.WriteString(name);
        writer.WriteString("piece length");
        writer.WriteInteger(pieceLength);
        writer.WriteString("pieces");
        writer.WriteString(pieces);
        writer.WriteEnd();
        writer.WriteEnd();
        var torrentPath = Path.Combine(folder, name + ".torrent");
        File.WriteAllBytes(torrentPath, buffer.WrittenSpan.ToArray());
        return new TestTorrent(dataDirectory, dataPath, torrentPath, TorrentInfo.Parse(buffer.WrittenMemory.ToArray(), torrentPath));
    }
}
