using System.Security.Cryptography;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Validates a decoded metainfo dictionary and builds a <see cref="TorrentInfo"/>. Everything in a
/// .torrent is hostile input: every required key is checked for presence and type, every length for
/// sign and overflow, and the piece count against the total length. Optional keys of the wrong type
/// (comment, announce-list, url-list, …) are ignored, as other clients do. Time and memory stay linear in the
/// input's size whatever it holds (sets, not list searches; paths bounded in depth and length), and long work
/// checks the cancellation token.
/// </summary>
internal static class TorrentInfoParser
{
    /// <summary>Largest piece accepted: 2 GiB - 1, beyond what any client makes or the wire protocol serves.</summary>
    public const long MaxPieceLength = int.MaxValue;

    /// <summary>The most segments a file's path may have in a torrent (deeper paths are refused, not cut).</summary>
    public const int MaxPathSegments = 256;

    /// <summary>The longest path a file may have below the torrent's folder, in UTF-8 bytes once sanitised ('/' between segments).</summary>
    public const int MaxPathBytes = 4096;

    private const long LastUnixSecond = 253402300799; // 9999-12-31T23:59:59Z, the last second DateTimeOffset can show

    public static TorrentInfo Parse(BencodeDictionary root, string? sourcePath, CancellationToken cancellationToken = default)
    {
        if (!root.TryGetValue("info", out var infoValue))
        {
            throw new InvalidTorrentException("the torrent has no 'info' dictionary", sourcePath);
        }

        if (infoValue is not BencodeDictionary info)
        {
            throw new InvalidTorrentException($"'info' is {KindOf(infoValue)}, expected a dictionary", sourcePath);
        }

        var creationDate = root.Get<BencodeInteger>("creation date") is { } date && date.Value is > 0 and <= LastUnixSecond
            ? DateTimeOffset.FromUnixTimeSeconds(date.Value)
            : (DateTimeOffset?)null;
        // BEP 52 'piece layers' lie outside the info dictionary: kept as they are (one copy, detached from the caller's
        // buffer) so the torrent can be written again whole; a value of the wrong type is ignored like other optional keys.
        var pieceLayers = root.Get<BencodeDictionary>("piece layers") is { Raw.IsEmpty: false } layers ? layers.Raw.ToArray() : default(ReadOnlyMemory<byte>);
        var torrent = Build(info, ReadTrackerTiers(root), ReadWebSeeds(root), creationDate, ReadText(root, "comment"), ReadText(root, "created by"), pieceLayers, sourcePath, cancellationToken);
        return ReadDhtNodes(root) is { Count: > 0 } nodes ? torrent.WithDhtNodes(nodes) : torrent;
    }

    public static TorrentInfo ParseInfo(BencodeDictionary info, IReadOnlyList<IReadOnlyList<string>> trackerTiers, string? sourcePath, CancellationToken cancellationToken = default)
        => Build(info, trackerTiers, [], null, null, null, default, sourcePath, cancellationToken);

    private static TorrentInfo Build(
        BencodeDictionary info,
        IReadOnlyList<IReadOnlyList<string>> trackerTiers,
        IReadOnlyList<string> webSeeds,
        DateTimeOffset? creationDate,
        string? comment,
        string? createdBy,
        ReadOnlyMemory<byte> pieceLayers,
        string? sourcePath,
        CancellationToken cancellationToken)
    {
        if (info.Raw.IsEmpty)
        {
            throw new ArgumentException("The info dictionary must come from decoded bytes: its info hash is the SHA-1 of those bytes.", nameof(info));
        }

        var metaVersion = info.Get<BencodeInteger>("meta version")?.Value;
        var hasPieces = info.ContainsKey("pieces");
        if (!hasPieces && (metaVersion == 2 || info.ContainsKey("file tree")))
        {
            throw new UnsupportedTorrentException($"{sourcePath ?? "The torrent"} is a BitTorrent v2-only torrent (BEP 52), which is not supported yet; only v1 and hybrid torrents can be read.");
        }

        if (metaVersion is { } version && version != 1 && version != 2)
        {
            throw new UnsupportedTorrentException($"{sourcePath ?? "The torrent"} has 'meta version' {version}; only versions 1 and 2 (hybrid) are supported.");
        }

        var pieceLength = RequireInteger(info, "piece length", "the info dictionary", sourcePath);
        if (pieceLength <= 0)
        {
            throw new InvalidTorrentException($"'piece length' must be positive, not {pieceLength}", sourcePath);
        }

        if (pieceLength > MaxPieceLength)
        {
            throw new InvalidTorrentException($"'piece length' of {pieceLength} bytes is larger than the largest supported ({MaxPieceLength})", sourcePath);
        }

        var pieces = Require<BencodeString>(info, "pieces", "a byte string", "the info dictionary", sourcePath);
        if (pieces.Length % 20 != 0)
        {
            throw new InvalidTorrentException($"'pieces' is {pieces.Length} bytes, not a multiple of 20", sourcePath);
        }

        var nameValue = info.Get<BencodeString>("name.utf-8") ?? Require<BencodeString>(info, "name", "a byte string", "the info dictionary", sourcePath);
        var name = TorrentPathSanitizer.SanitizeSegments([nameValue.Text])[0];

        var files = new List<TorrentFile>();
        bool isMultiFile;
        long total = 0;
        if (info.TryGetValue("files", out var filesValue))
        {
            if (filesValue is not BencodeList fileList)
            {
                throw new InvalidTorrentException($"'files' is {KindOf(filesValue)}, expected a list", sourcePath);
            }

            if (fileList.Count == 0)
            {
                throw new InvalidTorrentException("'files' is empty", sourcePath);
            }

            isMultiFile = true;
            for (var i = 0; i < fileList.Count; i++)
            {
                if ((i & 0xfff) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (fileList[i] is not BencodeDictionary entry)
                {
                    throw new InvalidTorrentException($"file {i} is {KindOf(fileList[i])}, expected a dictionary", sourcePath);
                }

                var length = ReadLength(entry, $"file {i}", sourcePath);
                var rawSegments = ReadPath(entry, i, sourcePath);
                var attributes = ReadText(entry, "attr") ?? string.Empty;
                var isPadding = attributes.Contains('p') || IsLegacyPaddingPath(rawSegments);
                files.Add(new TorrentFile(SanitizePath(rawSegments, i, sourcePath), length, total, isPadding, attributes));
                total = AddLength(total, length, sourcePath);
            }
        }
        else
        {
            isMultiFile = false;
            var length = ReadLength(info, "the torrent", sourcePath);
            files.Add(new TorrentFile([name], length, 0, false, ReadText(info, "attr") ?? string.Empty));
            total = length;
        }

        if (isMultiFile)
        {
            files = TorrentFilePathResolver.Resolve(files, sourcePath, cancellationToken);
        }

        long pieceCount = pieces.Length / 20;
        var expected = total == 0 ? 0 : ((total - 1) / pieceLength) + 1;
        if (pieceCount != expected)
        {
            throw new InvalidTorrentException($"{pieceCount} piece hashes for {total} bytes in pieces of {pieceLength} bytes; expected {expected}", sourcePath);
        }

        // One copy detaches the torrent from the caller's buffer, which may be reused after this returns; the piece
        // hashes are a slice of it (the 'pieces' string lies inside the info dictionary), not a second copy.
        var rawInfo = info.Raw.ToArray();
        var pieceHashes = info.Raw.Span.Overlaps(pieces.Span, out var piecesOffset)
            ? rawInfo.AsMemory(piecesOffset, pieces.Length)
            : pieces.Span.ToArray(); // 'pieces' built by hand, outside the info dictionary's bytes

        var isHybrid = metaVersion == 2;
        return new TorrentInfo(
            new InfoHash(HashOf(rawInfo, HashAlgorithmName.SHA1, cancellationToken)),
            name,
            pieceLength,
            pieceHashes,
            files,
            isMultiFile,
            trackerTiers,
            webSeeds,
            info.Get<BencodeInteger>("private")?.Value == 1,
            creationDate,
            comment,
            createdBy,
            isHybrid,
            rawInfo,
            sourcePath,
            ReadText(info, "source"),
            isHybrid ? Convert.ToHexString(HashOf(rawInfo, HashAlgorithmName.SHA256, cancellationToken)).ToLowerInvariant() : null,
            isHybrid ? pieceLayers : default);
    }

    /// <summary>The SHA-1 (v1 info hash) or SHA-256 (v2) of the info dictionary, a chunk at a time so a huge one can be stopped.</summary>
    private static byte[] HashOf(byte[] rawInfo, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        const int Chunk = 4 * 1024 * 1024;
        using var hash = IncrementalHash.CreateHash(algorithm);
        for (var offset = 0; offset < rawInfo.Length; offset += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(rawInfo, offset, Math.Min(Chunk, rawInfo.Length - offset));
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Sanitises a file's path and holds it to <see cref="MaxPathSegments"/> and <see cref="MaxPathBytes"/>.</summary>
    private static IReadOnlyList<string> SanitizePath(List<string> rawSegments, int index, string? sourcePath)
    {
        var segments = TorrentPathSanitizer.SanitizeSegments(rawSegments);
        var bytes = segments.Count - 1;
        foreach (var segment in segments)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(segment);
        }

        return bytes > MaxPathBytes
            ? throw new InvalidTorrentException($"file {index} has a path of {bytes} bytes; at most {MaxPathBytes} are supported", sourcePath)
            : segments;
    }

    private static long AddLength(long total, long length, string? sourcePath)
        => length > long.MaxValue - total
            ? throw new InvalidTorrentException($"the file lengths add up to more than {long.MaxValue} bytes", sourcePath)
            : total + length;

    private static List<string> ReadPath(BencodeDictionary entry, int index, string? sourcePath)
    {
        // BEP 3 'path'; 'path.utf-8' (an older extension) wins when it is a usable list.
        var pathList = entry.Get<BencodeList>("path.utf-8") ?? Require<BencodeList>(entry, "path", "a list", $"file {index}", sourcePath);
        if (pathList.Count == 0)
        {
            throw new InvalidTorrentException($"file {index} has an empty path", sourcePath);
        }

        if (pathList.Count > MaxPathSegments)
        {
            throw new InvalidTorrentException($"file {index} has a path {pathList.Count} folders deep; at most {MaxPathSegments} segments are supported", sourcePath);
        }

        var segments = new List<string>(pathList.Count);
        foreach (var segment in pathList)
        {
            segments.Add(segment is BencodeString s
                ? s.Text
                : throw new InvalidTorrentException($"file {index} has a path segment that is {KindOf(segment)}, expected a byte string", sourcePath));
        }

        return segments;
    }

    /// <summary>Padding files from before BEP 47's 'attr': '.pad/N' and BitComet's '_____padding_file_N_…'.</summary>
    private static bool IsLegacyPaddingPath(List<string> segments)
        => (segments.Count >= 2 && segments[0] == ".pad")
           || segments[^1].StartsWith("_____padding_file_", StringComparison.Ordinal);

    private static long ReadLength(BencodeDictionary dict, string what, string? sourcePath)
    {
        var length = RequireInteger(dict, "length", what, sourcePath);
        return length < 0 ? throw new InvalidTorrentException($"{what} has a negative length ({length})", sourcePath) : length;
    }

    private static long RequireInteger(BencodeDictionary dict, string key, string where, string? sourcePath)
        => Require<BencodeInteger>(dict, key, "an integer", where, sourcePath).Value;

    private static T Require<T>(BencodeDictionary dict, string key, string what, string where, string? sourcePath)
        where T : BencodeValue
    {
        if (!dict.TryGetValue(key, out var value))
        {
            throw new InvalidTorrentException($"{where} has no '{key}' ({what})", sourcePath);
        }

        return value as T ?? throw new InvalidTorrentException($"'{key}' in {where} is {KindOf(value)}, expected {what}", sourcePath);
    }

    private static string KindOf(BencodeValue value) => value switch
    {
        BencodeInteger => "an integer",
        BencodeString => "a byte string",
        BencodeList => "a list",
        BencodeDictionary => "a dictionary",
        _ => value.GetType().Name,
    };

    private static string? ReadText(BencodeDictionary dict, string key) => dict.Get<BencodeString>(key)?.Text;

    private static IReadOnlyList<IReadOnlyList<string>> ReadTrackerTiers(BencodeDictionary root)
    {
        var tiers = new List<IReadOnlyList<string>>();
        var inTier = new HashSet<string>(StringComparer.Ordinal);
        if (root.Get<BencodeList>("announce-list") is { } announceList)
        {
            foreach (var tierValue in announceList)
            {
                var tier = new List<string>();
                inTier.Clear();
                if (tierValue is BencodeList urls)
                {
                    foreach (var url in urls)
                    {
                        if (url is BencodeString s && s.Text.Trim() is { Length: > 0 } text && inTier.Add(text))
                        {
                            tier.Add(text);
                        }
                    }
                }
                else if (tierValue is BencodeString single && single.Text.Trim() is { Length: > 0 } text)
                {
                    tier.Add(text);
                }

                if (tier.Count > 0)
                {
                    tiers.Add(tier);
                }
            }
        }

        // BEP 12: when announce-list is there, announce is ignored.
        if (tiers.Count == 0 && ReadText(root, "announce")?.Trim() is { Length: > 0 } announce)
        {
            tiers.Add([announce]);
        }

        return tiers;
    }

    /// <summary>The most <c>nodes</c> entries taken: a lookup needs a few to start from, a hostile file cannot make it many.</summary>
    internal const int MaxDhtNodes = 64;

    /// <summary>BEP 5 <c>nodes</c>: a list of [host, port] pairs; malformed entries are skipped like other optional keys.</summary>
    private static List<string> ReadDhtNodes(BencodeDictionary root)
    {
        var nodes = new List<string>();
        if (root.Get<BencodeList>("nodes") is not { } list)
        {
            return nodes;
        }

        foreach (var item in list)
        {
            if (nodes.Count >= MaxDhtNodes)
            {
                break;
            }

            if (item is not BencodeList { Count: 2 } pair || pair[0] is not BencodeString host || pair[1] is not BencodeInteger { Value: > 0 and <= 65535 } port)
            {
                continue;
            }

            var name = host.Text.Trim('[', ']');
            if (name.Length is 0 or > 253 || name.Contains(' ', StringComparison.Ordinal) || !Text.DisplayText.IsSafe(name))
            {
                continue;
            }

            nodes.Add(System.Net.IPAddress.TryParse(name, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"[{name}]:{port.Value}"
                : $"{name}:{port.Value}");
        }

        return nodes;
    }

    private static IReadOnlyList<string> ReadWebSeeds(BencodeDictionary root)
    {
        if (!root.TryGetValue("url-list", out var value))
        {
            return [];
        }

        var seeds = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        switch (value)
        {
            case BencodeString s:
                AddSeed(s);
                break;
            case BencodeList list:
                foreach (var item in list)
                {
                    if (item is BencodeString seed)
                    {
                        AddSeed(seed);
                    }
                }

                break;
        }

        return seeds;

        void AddSeed(BencodeString s)
        {
            var text = s.Text.Trim();
            if (text.Length > 0 && seen.Add(text))
            {
                seeds.Add(text);
            }
        }
    }
}
