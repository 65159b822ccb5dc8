using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Metainfo;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>One file of a test torrent: its '/'-separated path and content, or a BEP 47 padding file of zeros.</summary>
internal sealed record TestFile(string Path, byte[] Content, bool IsPadding = false)
{
    public static TestFile Padding(int length) => new($".pad/{length}", new byte[length], true);

    public static TestFile Random(string path, int length, int seed) => new(path, TestTorrent.Content(length, seed));
}

/// <summary>
/// A torrent made by a test from content it chooses (real piece hashes), and a temporary folder to put the content in.
/// Deletes the folder on dispose.
/// </summary>
internal sealed class StorageTorrent : IDisposable
{
    private StorageTorrent(TorrentInfo torrent, IReadOnlyList<TestFile> files)
    {
        Torrent = torrent;
        Files = files;
        Folder = Path.Combine(Path.GetTempPath(), $"tps-storage-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
    }

    public TorrentInfo Torrent { get; }

    public IReadOnlyList<TestFile> Files { get; }

    /// <summary>The data folder: holds the single file or the torrent's top folder.</summary>
    public string Folder { get; }

    public ContentLocation Location => ContentLocation.InFolder(Torrent, Folder);

    /// <summary>All content, padding included, as the pieces see it.</summary>
    public byte[] Content => Files.SelectMany(f => f.Content).ToArray();

    public static StorageTorrent Single(string name, int length, int pieceLength, int seed = 1)
    {
        var content = TestTorrent.Content(length, seed);
        return new StorageTorrent(TorrentInfo.Parse(TestTorrent.SingleFile(name, content, pieceLength).ToBytes()), [new TestFile(name, content)]);
    }

    public static StorageTorrent Multi(string name, int pieceLength, params TestFile[] files)
        => new(TorrentInfo.Parse(MultiFileBytes(name, pieceLength, files)), files);

    /// <summary>The .torrent bytes of a multi-file torrent (padding files carry attr 'p').</summary>
    public static byte[] MultiFileBytes(string name, int pieceLength, IReadOnlyList<TestFile> files)
    {
        var entries = files.Select(f =>
        {
            var path = TestTorrent.List(f.Path.Split('/').Select(s => (BencodeValue)TestTorrent.Str(s)).ToArray());
            return (BencodeValue)(f.IsPadding
                ? TestTorrent.Dict(("attr", TestTorrent.Str("p")), ("length", TestTorrent.Int(f.Content.Length)), ("path", path))
                : TestTorrent.Dict(("length", TestTorrent.Int(f.Content.Length)), ("path", path)));
        }).ToArray();
        var content = files.SelectMany(f => f.Content).ToArray();
        var info = TestTorrent.Dict(
            ("files", new BencodeList(entries)),
            ("name", TestTorrent.Str(name)),
            ("piece length", TestTorrent.Int(pieceLength)),
            ("pieces", new BencodeString(TestTorrent.PieceHashes(content, pieceLength))));
        return BencodeEncoder.Encode(TestTorrent.Dict(("announce", TestTorrent.Str("http://127.0.0.1:6969/announce")), ("info", info)));
    }

    /// <summary>The full path of file <paramref name="index"/> in <see cref="Folder"/>.</summary>
    public string PathOf(int index) => Location.GetFilePath(index)!;

    /// <summary>Writes every (non-padding) file's content where the torrent puts it.</summary>
    public StorageTorrent WriteContent()
    {
        for (var i = 0; i < Files.Count; i++)
        {
            if (!Files[i].IsPadding)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(PathOf(i))!);
                File.WriteAllBytes(PathOf(i), Files[i].Content);
            }
        }

        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
