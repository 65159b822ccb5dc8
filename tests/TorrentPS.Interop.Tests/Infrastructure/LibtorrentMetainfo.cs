using System.Text.Json;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>What python3-libtorrent reads from a .torrent file (<see cref="InfoHashV2"/>: 64 hex digits, empty for a v1 torrent).</summary>
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
    long CreationDate,
    bool HasV1,
    bool HasV2,
    string MagnetUri,
    string InfoHashV2);

/// <summary>One file as libtorrent lists it; <see cref="Path"/> includes the torrent's folder name.</summary>
public sealed record LibtorrentFile(string Path, long Size, long Offset, bool Pad);

public sealed record LibtorrentTracker(string Url, int Tier);

/// <summary>One torrent for <see cref="LibtorrentMetainfo.CreateManyAsync"/> to make.</summary>
public sealed record LibtorrentCreateRequest(
    string ContentPath,
    string TorrentPath,
    LibtorrentMetainfo.TorrentKind Kind,
    int PieceLength = 16384,
    string Tracker = "http://127.0.0.1:6969/announce");

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
                    path=value, info_hash=str(t.info_hashes().v1), name=t.name(), total_size=t.total_size(),
                    piece_length=t.piece_length(), num_pieces=t.num_pieces(),
                    piece_hashes=[bytes(t.hash_for_piece(i)).hex() for i in range(t.num_pieces())],
                    files=[dict(path=fs.file_path(i), size=fs.file_size(i), offset=fs.file_offset(i),
                                pad=bool(fs.file_flags(i) & lt.file_storage.flag_pad_file)) for i in range(fs.num_files())],
                    trackers=[dict(url=a.url, tier=a.tier) for a in t.trackers()],
                    private=t.priv(), web_seeds=[w["url"] for w in t.web_seeds()],
                    comment=t.comment(), creator=t.creator(), creation_date=t.creation_date(),
                    has_v1=t.info_hashes().has_v1(), has_v2=t.info_hashes().has_v2(), magnet_uri=lt.make_magnet_uri(t),
                    info_hash_v2=str(t.info_hashes().v2) if t.info_hashes().has_v2() else ''))
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

    /// <summary>The kinds of torrent libtorrent 2.0 makes: v1 and v2 in one (its default), v1 only, v2 only.</summary>
    public enum TorrentKind
    {
        Hybrid,
        V1Only,
        V2Only,
    }

    private const string CreateScript = """
        import sys
        import libtorrent as lt
        args = sys.argv[1:]
        for i in range(0, len(args), 6):
            out, content, piece_length, kind, tracker, parent = args[i:i + 6]
            flags = {"Hybrid": 0, "V1Only": lt.create_torrent.v1_only, "V2Only": lt.create_torrent.v2_only}[kind]
            fs = lt.file_storage()
            lt.add_files(fs, content)
            ct = lt.create_torrent(fs, int(piece_length), flags=flags)
            ct.add_tracker(tracker)
            lt.set_piece_hashes(ct, parent)
            open(out, "wb").write(lt.bencode(ct.generate()))
        """;

    /// <summary>
    /// Makes <paramref name="torrentPath"/> from the file or folder <paramref name="contentPath"/> with libtorrent's own
    /// creator; hybrid and v2 torrents align files to pieces with BEP 47 padding files.
    /// </summary>
    public static Task CreateAsync(string contentPath, string torrentPath, TorrentKind kind, int pieceLength = 16384, string tracker = "http://127.0.0.1:6969/announce")
        => CreateManyAsync([new LibtorrentCreateRequest(contentPath, torrentPath, kind, pieceLength, tracker)]);

    /// <summary>Makes several torrents with one start of python.</summary>
    public static async Task CreateManyAsync(IEnumerable<LibtorrentCreateRequest> requests)
    {
        var arguments = new List<string> { "-c", CreateScript };
        foreach (var request in requests)
        {
            var content = System.IO.Path.GetFullPath(request.ContentPath);
            arguments.AddRange(
            [
                request.TorrentPath,
                content,
                request.PieceLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
                request.Kind.ToString(),
                request.Tracker,
                System.IO.Path.GetDirectoryName(content)!,
            ]);
        }

        await ExternalProcess.RunAsync(Python, arguments, TimeSpan.FromSeconds(30));
    }

    public static async Task<LibtorrentTorrent> ReadTorrentAsync(string path)
        => (await ReadAsync([path])).Torrents.Single();

    private sealed record Result(LibtorrentTorrent[] Torrents, LibtorrentMagnet[] Magnets);
}
