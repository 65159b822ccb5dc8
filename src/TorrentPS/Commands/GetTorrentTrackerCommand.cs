using System.Management.Automation;
using TorrentPS.Engine.Trackers;
using TorrentPS.Trackers;

namespace TorrentPS.Commands;

/// <summary>Reports each tracker of a torrent: tier, status, seeders, leechers and downloads (scrape, announce as fallback).</summary>
[Cmdlet(VerbsCommon.Get, "TorrentTracker", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TrackerStatus))]
public sealed class GetTorrentTrackerCommand : TrackerInputCmdlet
{
    private protected override Task RunAsync(IReadOnlyList<TrackerInput> inputs, CancellationToken cancellationToken)
        => CreateRunner().QueryTrackersAsync(inputs, TrackerOverride, cancellationToken);
}
