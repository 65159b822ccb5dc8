namespace TorrentPS.Completion;

/// <summary>One completion: the text inserted, the text listed, the tooltip.</summary>
internal sealed record Candidate(string Value, string ListItem, string ToolTip);

/// <summary>Which values tab completion offers, from the torrents it knows of; free of PowerShell so xunit reaches it.</summary>
internal static class CompletionCandidates
{
    /// <summary>The trackers of the torrents, each once, that start with what was typed (quotes ignored).</summary>
    public static IReadOnlyList<Candidate> Trackers(IEnumerable<KnownTorrent> torrents, string typed)
    {
        var prefix = Unquote(typed);
        return torrents
            .SelectMany(t => t.Trackers.Select(url => (Url: url, Torrent: t)))
            .DistinctBy(x => x.Url, StringComparer.Ordinal)
            .Where(x => x.Url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(x => new Candidate(Quote(x.Url), x.Url, $"A tracker of {Describe(x.Torrent)}"))
            .ToArray();
    }

    /// <summary>The info hashes of the torrents whose hash or name starts with what was typed; the hash is inserted.</summary>
    public static IReadOnlyList<Candidate> InfoHashes(IEnumerable<KnownTorrent> torrents, string typed)
    {
        var prefix = Unquote(typed);
        return torrents
            .DistinctBy(t => t.InfoHash)
            .Where(t => t.InfoHash.Hex.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || (t.Name?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ?? false))
            .Select(t => new Candidate(t.InfoHash.Hex, string.IsNullOrEmpty(t.Name) ? t.InfoHash.Hex : $"{t.InfoHash.Hex} ({t.Name})", Describe(t)))
            .ToArray();
    }

    private static string Describe(KnownTorrent torrent) => string.IsNullOrEmpty(torrent.Name) ? torrent.InfoHash.Hex : $"'{torrent.Name}' ({torrent.InfoHash.Hex})";

    private static string Unquote(string typed) => typed.Trim('\'', '"');

    /// <summary>A value as PowerShell must see it: single-quoted when it holds characters the parser would act on.</summary>
    private static string Quote(string value)
        => value.IndexOfAny([' ', '&', ';', '(', ')', '{', '}', '$', '`', '@', ',', '\'', '"', '|', '<', '>', '#']) >= 0
            ? $"'{value.Replace("'", "''", StringComparison.Ordinal)}'"
            : value;
}
