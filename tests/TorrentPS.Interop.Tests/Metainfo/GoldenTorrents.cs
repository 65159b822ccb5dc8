using TorrentPS.Engine.Metainfo;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Metainfo;

/// <summary>
/// Golden torrents made once per test class with the real mktorrent and libtorrent, read by our engine and by
/// libtorrent (one python start for all of them). Contents are small so the whole set takes about a second.
/// </summary>
public sealed class GoldenTorrents : IAsyncLifetime
{
    public const string Announce = "http://127.0.0.1:6969/announce";

    private readonly TempDirectory _folder = new("tps-golden");
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LibtorrentTorrent> _libtorrent = new(StringComparer.Ordinal);

    /// <summary>Every golden torrent by name.</summary>
    public static IEnumerable<string> Names => ["single", "exact", "tiny", "multi", "odd", "renamed", "lt-hybrid", "lt-hybrid-single", "lt-v1"];

    /// <summary>Golden torrents with one tracker (so the first tracker is the same whatever order libtorrent keeps).</summary>
    public static IEnumerable<string> SingleTrackerNames => ["exact", "tiny", "multi", "odd", "renamed", "lt-hybrid", "lt-hybrid-single", "lt-v1"];

    /// <summary>A v2-only torrent made by libtorrent (not in <see cref="Names"/>: the engine does not read those yet).</summary>
    public const string V2Only = "lt-v2";

    public string PathOf(string name) => _paths[name];

    public LibtorrentTorrent Libtorrent(string name) => _libtorrent[name];

    public async Task InitializeAsync()
    {
        // Single file, 70000 bytes in 32 KiB pieces: the last piece (4464 bytes) is shorter. Two tiers, private, web seed, comment.
        var single = WriteFile("content/single.bin", 70_000);
        await Make("single", single, new MktorrentOptions
        {
            TrackerTiers = [["http://127.0.0.1:6969/a", "http://127.0.0.2:6969/b"], ["udp://127.0.0.3:6969"]],
            Private = true,
            WebSeeds = ["http://127.0.0.1:8080/seed/"],
            Comment = "golden torrent",
        });

        // Single file of exactly two pieces, and a single 1-byte file.
        await Make("exact", WriteFile("content/exact.bin", 65_536), new MktorrentOptions());
        await Make("tiny", WriteFile("content/tiny.bin", 1), new MktorrentOptions());

        // Nested folders with zero-length files between and after non-empty ones.
        WriteFile("content/multi/a.bin", 100_000);
        WriteFile("content/multi/sub/deep/b.bin", 33_333);
        WriteFile("content/multi/sub/empty", 0);
        WriteFile("content/multi/z/last-empty", 0);
        WriteFile("content/multi/odd/one", 1);
        await Make("multi", _folder.Combine("content", "multi"), new MktorrentOptions());

        // Sizes around the piece boundary, 64 KiB pieces.
        WriteFile("content/odd/p-1", 65_535);
        WriteFile("content/odd/p", 65_536);
        WriteFile("content/odd/p+1", 65_537);
        WriteFile("content/odd/zero", 0);
        WriteFile("content/odd/x/3", 3);
        await Make("odd", _folder.Combine("content", "odd"), new MktorrentOptions { PieceLengthExponent = 16 });

        // A name given on the command line, different from the folder's.
        await Make("renamed", _folder.Combine("content", "odd"), new MktorrentOptions { Name = "other name" });

        // libtorrent's own creator: hybrid (v1 + v2, with BEP 47 padding files), v1 only and v2 only, in one python start.
        var requests = new (string Name, string Content, LibtorrentMetainfo.TorrentKind Kind)[]
        {
            ("lt-hybrid", _folder.Combine("content", "multi"), LibtorrentMetainfo.TorrentKind.Hybrid),
            ("lt-hybrid-single", single, LibtorrentMetainfo.TorrentKind.Hybrid),
            ("lt-v1", _folder.Combine("content", "multi"), LibtorrentMetainfo.TorrentKind.V1Only),
            (V2Only, _folder.Combine("content", "multi"), LibtorrentMetainfo.TorrentKind.V2Only),
        };
        await LibtorrentMetainfo.CreateManyAsync(requests.Select(r => new LibtorrentCreateRequest(r.Content, _folder.Combine($"{r.Name}.torrent"), r.Kind)));
        foreach (var request in requests)
        {
            _paths[request.Name] = _folder.Combine($"{request.Name}.torrent");
        }

        var (torrents, _) = await LibtorrentMetainfo.ReadAsync(_paths.Values);
        foreach (var torrent in torrents)
        {
            _libtorrent[_paths.Single(p => p.Value == torrent.Path).Key] = torrent;
        }
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private string WriteFile(string relativePath, int length)
    {
        var path = _folder.Combine(relativePath.Split('/'));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        new Random(length ^ relativePath.Length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private async Task Make(string name, string content, MktorrentOptions options)
    {
        var path = _folder.Combine($"{name}.torrent");
        await Mktorrent.CreateAsync(content, path, options);
        _paths[name] = path;
    }
}
