using System.Text.Json;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>What python3-libtorrent reads from a .torrent file.</summary>
public sealed record LibtorrentTorrent(
    string Path,
    string InfoHash,
    string Name,
    long TotalSize,
    long PieceLength,
    int NumPieces,
    string[] PieceHashes,
    LibtorrentFile[] Files,
    LibtorrentTracker[] Trackers,
    bool Private,
    string[] WebSeeds,
    string Comment,
    string Creator,
    long CreationDate);

/// <summary>One file as libtorrent lists it; <see cref="Path"/> includes the torrent's folder name.</summary>
public sealed record LibtorrentFile(string Path, long Size, long Offset, bool Pad);

public sealed record LibtorrentTracker(string Url, int Tier);

/// <summary>What libtorrent reads from a magnet link.</summary>
public sealed record LibtorrentMagnet(string Uri, string InfoHash, string Name, string[] Trackers);

/// <summary>
/// Asks the real libtorrent (python3-libtorrent under /usr/bin/python3, not the pyenv python on PATH)
/// about torrents and magnet links, all in one process start so tests stay fast.
/// </summary>
public static class LibtorrentMetainfo
{
    public const string Python = "/usr/bin/python3";

    private const string Marker = "TPSJSON:";

    private const string Script = """
        import json, sys
        import libtorrent as lt
        torrents, magnets = [], []
        args = sys.argv[1:]
        for kind, value in zip(args[0::2], args[1::2]):
            if kind == "--torrent":
                t = lt.torrent_info(value)
                fs = t.files()
                torrents.append(dict(
                    path=value, info_hash=str(t.info_hash()), name=t.name(), total_size=t.total_size(),
                    piece_length=t.piece_length(), num_pieces=t.num_pieces(),
                    piece_hashes=[bytes(t.hash_for_piece(i)).hex() for i in range(t.num_pieces())],
                    files=[dict(path=fs.file_path(i), size=fs.file_size(i), offset=fs.file_offset(i),
                                pad=bool(fs.file_flags(i) & lt.file_storage.flag_pad_file)) for i in range(fs.num_files())],
                    trackers=[dict(url=a.url, tier=a.tier) for a in t.trackers()],
                    private=t.priv(), web_seeds=[w["url"] for w in t.web_seeds()],
                    comment=t.comment(), creator=t.creator(), creation_date=t.creation_date()))
            else:
                p = lt.parse_magnet_uri(value)
                magnets.append(dict(uri=value, info_hash=str(p.info_hashes.v1), name=p.name, trackers=list(p.trackers)))
        print("TPSJSON:" + json.dumps(dict(torrents=torrents, magnets=magnets)))
        """;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<(IReadOnlyList<LibtorrentTorrent> Torrents, IReadOnlyList<LibtorrentMagnet> Magnets)> ReadAsync(
        IEnumerable<string>? torrentPaths = null,
        IEnumerable<string>? magnetUris = null)
    {
        var arguments = new List<string> { "-c", Script };
        foreach (var path in torrentPaths ?? [])
        {
            arguments.Add("--torrent");
            arguments.Add(path);
        }

        foreach (var uri in magnetUris ?? [])
        {
            arguments.Add("--magnet");
            arguments.Add(uri);
        }

        var output = await ExternalProcess.RunAsync(Python, arguments, TimeSpan.FromSeconds(30));
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"libtorrent printed no result:\n{output}");
        var result = JsonSerializer.Deserialize<Result>(line[Marker.Length..], JsonOptions)
                     ?? throw new InvalidOperationException($"libtorrent printed an empty result:\n{output}");
        return (result.Torrents, result.Magnets);
    }

    public static async Task<LibtorrentTorrent> ReadTorrentAsync(string path)
        => (await ReadAsync([path])).Torrents.Single();

    private sealed record Result(LibtorrentTorrent[] Torrents, LibtorrentMagnet[] Magnets);
}
