using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Formatting;

namespace TorrentPS.Trackers;

/// <summary>What Get-TorrentPeer and Get-TorrentTracker say under -Verbose: what they ask, what each tracker answers, what came of it.</summary>
internal static class TrackerNarration
{
    /// <summary>A torrent in a message: <c>'name' (hash)</c>, or the hash alone when it has no name.</summary>
    public static string Subject(string? name, InfoHash infoHash)
        => string.IsNullOrWhiteSpace(name) ? infoHash.Hex : $"'{name}' ({infoHash.Hex})";

    public static string Asking(PeerDiscoveryTarget target, string? name, TrackerAskMode mode)
    {
        var trackers = Counted.Of(target.TrackerTiers.Sum(t => t.Count), "tracker");
        var tiers = Counted.Of(target.TrackerTiers.Count, "tier");
        var subject = Subject(name, target.InfoHash);
        return mode == TrackerAskMode.Status
            ? $"Asking the {trackers} in {tiers} of {subject} for their status."
            : $"Asking {trackers} in {tiers} for peers of {subject}"
              + (target.KnownPeers.Count > 0 ? $", after the {Counted.Of(target.KnownPeers.Count, "peer")} of the magnet link." : ".");
    }

    public static string Answered(string trackerUrl, AnnounceResponse response)
        => $"{trackerUrl} answered: {Counted.Of(response.Peers.Count, "peer")}, next announce in {Counted.Seconds(response.Interval)}.";

    public static string Failed(string trackerUrl, Exception error)
        => $"{trackerUrl} failed ({(error as TorrentPSException)?.ErrorId ?? error.GetType().Name}).";

    public static string PeersFound(string subject, int peers, int answered, int failed)
        => $"Found {Counted.Of(peers, "peer")} of {subject}: {answered} of {Counted.Of(answered + failed, "tracker")} answered"
           + (failed > 0 ? $", {failed} failed." : ".");

    /// <summary>One tracker's status: <c>url: working, 12 seeders, 3 leechers, 40 downloaded, announce every 30 minutes.</c></summary>
    public static string Status(TrackerStatus status)
    {
        if (status.Status != TrackerStatusKind.Working)
        {
            return $"{status.Url}: {status.Status}" + (status.LastError is { Length: > 0 } error ? $": {error}" : ".");
        }

        var parts = new List<string> { $"{status.Url}: working" };
        if (status.Seeders is { } seeders)
        {
            parts.Add(Counted.Of(seeders, "seeder"));
        }

        if (status.Leechers is { } leechers)
        {
            parts.Add(Counted.Of(leechers, "leecher"));
        }

        if (status.Downloaded is { } downloaded)
        {
            parts.Add($"{downloaded} downloaded");
        }

        if (status.IntervalSpan is { } interval)
        {
            parts.Add($"announce every {Counted.Seconds(interval)}");
        }

        return string.Join(", ", parts) + ".";
    }

    public static string StatusDone(string subject, int working, int total)
        => $"Trackers of {subject}: {working} of {total} working.";
}
