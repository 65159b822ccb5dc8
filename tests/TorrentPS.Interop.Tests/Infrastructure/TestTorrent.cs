using System.Security.Cryptography;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A torrent a test made and its content: a single file written with our BencodeWriter (<see cref="Create"/>), or any
/// content and .torrent made by a reference tool (<see cref="Load"/>).
/// </summary>
public sealed class TestTorrent
{
    private TestTorrent(string dataDirectory, string dataPath, string torrentPath, TorrentInfo info)
    {
        DataDirectory = dataDirectory;
        DataPath = dataPath;
        TorrentPath = torrentPath;
        Info = info;
    }

    /// <summary>The folder that holds the content: the single file or the torrent's top folder (a seeder's save path).</summary>
    public string DataDirectory { get; }

    /// <summary>The single file, or the multi-file torrent's top folder.</summary>
    public string DataPath { get; }

    public string TorrentPath { get; }

    public TorrentInfo Info { get; }

    /// <summary>A torrent made elsewhere (mktorrent, libtorrent) of content in <paramref name="dataDirectory"/>.</summary>
    public static TestTorrent Load(string dataDirectory, string torrentPath)
    {
        var info = TorrentInfo.Parse(File.ReadAllBytes(torrentPath), torrentPath);
        return new TestTorrent(dataDirectory, Path.Combine(dataDirectory, info.Name), torrentPath, info);
    }

    /// <param name="infoLength">
    /// The exact length in bytes the info dictionary (the ut_metadata a magnet link fetches) should have: an
    /// <c>x-padding</c> key makes up the difference. Null for no padding.
    /// </param>
    public static TestTorrent Create(string folder, string name = "wire-test.bin", int length = (1024 * 1024) + 1000, int pieceLength = 256 * 1024, string? announce = null, int? infoLength = null)
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

        var info = InfoDictionary(name, length, pieceLength, pieces, padding: null);
        if (infoLength is { } wanted)
        {
            info = InfoDictionary(name, length, pieceLength, pieces, PaddingFor(wanted - info.Length));
            if (info.Length != wanted)
            {
                throw new ArgumentOutOfRangeException(nameof(infoLength), wanted, $"An info dictionary of {info.Length} bytes cannot be padded to {wanted}.");
            }
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(buffer);
        writer.WriteDictionaryStart();
        writer.WriteString("announce");
        writer.WriteString(announce ?? "http://127.0.0.1:1/announce"); // by default nothing listens: the tests connect to seeders directly
        writer.WriteString("created by");
        writer.WriteString("TorrentPS tests");
        writer.WriteString("info");
        System.Buffers.BuffersExtensions.Write(buffer, info);
        writer.WriteEnd();
        var torrentPath = Path.Combine(folder, name + ".torrent");
        File.WriteAllBytes(torrentPath, buffer.WrittenSpan.ToArray());
        return new TestTorrent(dataDirectory, dataPath, torrentPath, TorrentInfo.Parse(buffer.WrittenMemory.ToArray(), torrentPath));
    }

    private static byte[] InfoDictionary(string name, int length, int pieceLength, byte[] pieces, byte[]? padding)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(buffer);
        writer.WriteDictionaryStart();
        writer.WriteString("length");
        writer.WriteInteger(length);
        writer.WriteString("name");
        writer.WriteString(name);
        writer.WriteString("piece length");
        writer.WriteInteger(pieceLength);
        writer.WriteString("pieces");
        writer.WriteString(pieces);
        if (padding is not null)
        {
            writer.WriteString("x-padding");
            writer.WriteString(padding);
        }

        writer.WriteEnd();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>x-padding</c> value whose entry ("9:x-padding" and the string) adds exactly <paramref name="extra"/> bytes.</summary>
    private static byte[] PaddingFor(int extra)
    {
        for (var digits = 1; digits < 10; digits++)
        {
            var n = extra - "9:x-padding".Length - digits - 1;
            if (n >= 0 && n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length == digits)
            {
                var padding = new byte[n];
                padding.AsSpan().Fill((byte)'.');
                return padding;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(extra), extra, "Too little room for an x-padding entry.");
    }
}
