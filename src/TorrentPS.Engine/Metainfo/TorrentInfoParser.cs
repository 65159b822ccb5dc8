using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Metainfo;

/// <summary>Validates a decoded metainfo dictionary and builds a <see cref="TorrentInfo"/>.</summary>
internal static class TorrentInfoParser
{
    public static TorrentInfo Parse(BencodeDictionary root, string? sourcePath)
    {
        if (!root.TryGetValue("info", out var infoValue))
        {
            throw new InvalidTorrentException("the torrent has no 'info' dictionary", sourcePath);
        }

        if (infoValue is not BencodeDictionary info)
        {
            throw new InvalidTorrentException("'info' is not a dictionary", sourcePath);
        }

        var torrent = ParseInfo(info, ReadTrackerTiers(root), sourcePath);
        return new TorrentInfo(
            torrent.InfoHash,
            torrent.Name,
            torrent.PieceLength,
            CopyPieces(info),
            torrent.Files,
            torrent.IsMultiFile,
            torrent.TrackerTiers,
            ReadWebSeeds(root),
            torrent.IsPrivate,
            root.Get<BencodeInteger>("creation date") is { } date && date.Value is > 0 and < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(date.Value) : null,
            ReadText(root, "comment"),
            ReadText(root, "created by"),
            torrent.IsHybrid,
            torrent.RawInfo,
            sourcePath);
    }

    public static TorrentInfo ParseInfo(BencodeDictionary info, IReadOnlyList<IReadOnlyList<string>> trackerTiers, string? sourcePath)
    {
        var metaVersion = info.Get<BencodeInteger>("meta version")?.Value;
        var hasPieces = info.ContainsKey("pieces");
        if (metaVersion == 2 && !hasPieces)
        {
            throw new UnsupportedTorrentException($"{sourcePath ?? "The torrent"} is a BitTorrent v2-only torrent (BEP 52); only v1 and hybrid torrents are supported yet.");
        }

        var pieceLength = info.Get<BencodeInteger>("piece length")?.Value
                          ?? throw Missing("piece length", "an integer");
        if (pieceLength <= 0)
        {
            throw new InvalidTorrentException($"'piece length' must be positive, not {pieceLength}", sourcePath);
        }

        var pieces = info.Get<BencodeString>("pieces") ?? throw Missing("pieces", "a byte string");
        if (pieces.Length % 20 != 0)
        {
            throw new InvalidTorrentException($"'pieces' is {pieces.Length} bytes, not a multiple of 20", sourcePath);
        }

        var rawName = ReadText(info, "name.utf-8") ?? ReadText(info, "name") ?? throw Missing("name", "a byte string");
        var name = TorrentPathSanitizer.SanitizeSegments([rawName])[0];

        List<TorrentFile> files = [];
        bool isMultiFile;
        if (info.TryGetValue("files", out var filesValue))
        {
            if (filesValue is not BencodeList fileList)
            {
                throw new InvalidTorrentException("'files' is not a list", sourcePath);
            }

            isMultiFile = true;
            long offset = 0;
            for (var i = 0; i < fileList.Count; i++)
            {
                if (fileList[i] is not BencodeDictionary entry)
                {
                    throw new InvalidTorrentException($"file {i} is not a dictionary", sourcePath);
                }

                var length = ReadLength(entry, $"file {i}", sourcePath);
                var pathList = entry.Get<BencodeList>("path.utf-8") ?? entry.Get<BencodeList>("path")
                               ?? throw new InvalidTorrentException($"file {i} has no 'path' list", sourcePath);
                var rawSegments = new List<string>(pathList.Count);
                foreach (var segment in pathList)
                {
                    rawSegments.Add(segment is BencodeString s ? s.Text : throw new InvalidTorrentException($"file {i} has a path segment that is not a string", sourcePath));
                }

                if (rawSegments.Count == 0)
                {
                    throw new InvalidTorrentException($"file {i} has an empty path", sourcePath);
                }

                var attributes = ReadText(entry, "attr") ?? string.Empty;
                var isPadding = attributes.Contains('p') || (rawSegments.Count >= 2 && rawSegments[0] == ".pad");
                files.Add(new TorrentFile(TorrentPathSanitizer.SanitizeSegments(rawSegments), length, offset, isPadding, attributes));
                offset = checked(offset + length);
            }

            if (files.Count == 0)
            {
                throw new InvalidTorrentException("'files' is empty", sourcePath);
            }
        }
        else
        {
            isMultiFile = false;
            var length = ReadLength(info, "the torrent", sourcePath);
            files.Add(new TorrentFile([name], length, 0, false, ReadText(info, "attr") ?? string.Empty));
        }

        long total = 0;
        foreach (var file in files)
        {
            total = checked(total + file.Length);
        }

        var pieceCount = pieces.Length / 20;
        var expected = total == 0 ? 0 : ((total - 1) / pieceLength) + 1;
        if (pieceCount != expected)
        {
            throw new InvalidTorrentException($"{pieceCount} piece hashes for {total} bytes in pieces of {pieceLength} bytes; expected {expected}", sourcePath);
        }

        var isPrivate = info.Get<BencodeInteger>("private")?.Value == 1;
        return new TorrentInfo(
            InfoHash.Compute(info.Raw.Span),
            name,
            pieceLength,
            pieces.Span.ToArray(),
            files,
            isMultiFile,
            trackerTiers,
            [],
            isPrivate,
            null,
            null,
            null,
            metaVersion == 2,
            info.Raw,
            sourcePath);

        InvalidTorrentException Missing(string key, string what)
            => new($"the info dictionary has no '{key}' ({what})", sourcePath);
    }

    private static byte[] CopyPieces(BencodeDictionary info) => info.Get<BencodeString>("pieces")!.Span.ToArray();

    private static long ReadLength(BencodeDictionary dict, string what, string? sourcePath)
    {
        var length = dict.Get<BencodeInteger>("length")?.Value
                     ?? throw new InvalidTorrentException($"{what} has no 'length' (an integer)", sourcePath);
        return length < 0 ? throw new InvalidTorrentException($"{what} has a negative length ({length})", sourcePath) : length;
    }

    private static string? ReadText(BencodeDictionary dict, string key) => dict.Get<BencodeString>(key)?.Text;

    private static IReadOnlyList<IReadOnlyList<string>> ReadTrackerTiers(BencodeDictionary root)
    {
        var tiers = new List<IReadOnlyList<string>>();
        if (root.Get<BencodeList>("announce-list") is { } announceList)
        {
            foreach (var tierValue in announceList)
            {
                var tier = new List<string>();
                if (tierValue is BencodeList urls)
                {
                    foreach (var url in urls)
                    {
                        if (url is BencodeString s && s.Text.Trim() is { Length: > 0 } text && !tier.Contains(text))
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

        if (tiers.Count == 0 && ReadText(root, "announce")?.Trim() is { Length: > 0 } announce)
        {
            tiers.Add([announce]);
        }

        return tiers;
    }

    private static IReadOnlyList<string> ReadWebSeeds(BencodeDictionary root)
    {
        if (!root.TryGetValue("url-list", out var value))
        {
            return [];
        }

        return value switch
        {
            BencodeString s when s.Text.Length > 0 => [s.Text],
            BencodeList list => list.OfType<BencodeString>().Select(s => s.Text).Where(t => t.Length > 0).ToArray(),
            _ => [],
        };
    }
}
