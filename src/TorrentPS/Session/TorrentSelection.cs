using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Session;

/// <summary>
/// Which of the session's torrents a command means: those named (<c>-Name</c>, wildcards: the cmdlet gives a matcher
/// per name), those with the info hashes given (<c>-InfoHash</c>, or a TorrentInfo's by property name), in the states
/// given (<c>-State</c>); every torrent when nothing narrows it. A name without wildcards or an info hash that matches
/// nothing is a <c>TorrentNotFound</c> error (as Get-Process reports a name it does not find); a wildcard matching
/// nothing is not.
/// </summary>
internal static class TorrentSelection
{
    /// <summary>One name given: how to match it, and whether it has wildcards.</summary>
    public sealed record NamePattern(string Text, Func<string, bool> Matches, bool HasWildcards);

    /// <summary>The matching torrents in the session's order, and an error for each literal name or info hash that found none.</summary>
    public static (IReadOnlyList<Torrent> Torrents, IReadOnlyList<(string Target, TorrentPSException Error)> NotFound) Select(
        IReadOnlyList<Torrent> torrents,
        IReadOnlyList<NamePattern>? names,
        IReadOnlyList<InfoHash>? infoHashes,
        IReadOnlyCollection<TorrentState>? states)
    {
        var selected = new List<Torrent>();
        var notFound = new List<(string, TorrentPSException)>();
        foreach (var torrent in torrents)
        {
            if (names is { Count: > 0 } && !names.Any(n => n.Matches(torrent.Name)))
            {
                continue;
            }

            if (infoHashes is { Count: > 0 } && !infoHashes.Contains(torrent.Hash))
            {
                continue;
            }

            if (states is { Count: > 0 } && !states.Contains(torrent.State))
            {
                continue;
            }

            selected.Add(torrent);
        }

        foreach (var name in names ?? [])
        {
            if (!name.HasWildcards && !torrents.Any(t => name.Matches(t.Name)))
            {
                notFound.Add((name.Text, NotFound($"The session holds no torrent named '{name.Text}'.")));
            }
        }

        foreach (var infoHash in infoHashes ?? [])
        {
            if (!torrents.Any(t => t.Hash.Equals(infoHash)))
            {
                notFound.Add((infoHash.Hex, NotFound($"The session holds no torrent with info hash {infoHash.Hex}.")));
            }
        }

        return (selected, notFound);
    }

    /// <summary>Parses <c>-InfoHash</c> values (40 hex digits or 32 base32 characters).</summary>
    /// <exception cref="TorrentPSException"><c>InvalidInfoHash</c>, naming the value.</exception>
    public static IReadOnlyList<InfoHash> ParseInfoHashes(IEnumerable<string> values)
    {
        var parsed = new List<InfoHash>();
        foreach (var value in values)
        {
            if (!InfoHash.TryParse(value?.Trim(), out var hash))
            {
                throw new TorrentPSException("InvalidInfoHash", TorrentErrorKind.InvalidArgument, $"'{value}' is not an info hash: expected 40 hex digits or 32 base32 characters.");
            }

            parsed.Add(hash);
        }

        return parsed;
    }

    private static TorrentPSException NotFound(string message) => new("TorrentNotFound", TorrentErrorKind.ObjectNotFound, message);
}
