using System.Globalization;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A status snapshot as one short line, the same for a job's StatusMessage and any other one-line display:
/// <c>42% 31.5 MiB/s 12 peers</c> while downloading, <c>Seeding 1.20 MiB/s 3 peers ratio 0.52</c>, <c>Checking 12%</c>,
/// <c>Fetching metadata 3 peers</c>, <c>Paused 42%</c>.
/// </summary>
internal static class StatusSummary
{
    public static string Of(TorrentStatus status)
    {
        var percent = Percent(status.PercentComplete);
        return status.State switch
        {
            TorrentState.Downloading => $"{percent} {Units.Rate(status.DownloadRate)} {Units.Count(status.PeersConnected, "peer")}",
            TorrentState.Seeding => string.Create(CultureInfo.InvariantCulture, $"Seeding {Units.Rate(status.UploadRate)} {Units.Count(status.PeersConnected, "peer")} ratio {status.Ratio:0.00}"),
            TorrentState.Checking => "Checking " + Percent(status.Length > 0 ? status.CheckedBytes * 100.0 / status.Length : 0),
            TorrentState.FetchingMetadata => "Fetching metadata " + Units.Count(status.MetadataPeers, "peer"),
            TorrentState.Completed => "Completed",
            _ => $"{status.State} {percent}",
        };
    }

    private static string Percent(double value) => Math.Floor(Math.Clamp(value, 0, 100)).ToString("0", CultureInfo.InvariantCulture) + "%";
}
