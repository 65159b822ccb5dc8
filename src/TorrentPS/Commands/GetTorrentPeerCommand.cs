using System.Management.Automation;
using TorrentPS.Engine.Peers;
using TorrentPS.Trackers;

namespace TorrentPS.Commands;

/// <summary>Asks a torrent's trackers (HTTP and UDP, every tier) for peers and emits each distinct peer as it arrives.</summary>
[Cmdlet(VerbsCommon.Get, "TorrentPeer", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentPeer))]
public sealed class GetTorrentPeerCommand : TrackerInputCmdlet
{
    private protected override Task RunAsync(IReadOnlyList<TrackerInput> inputs, CancellationToken cancellationToken)
        => CreateRunner().DiscoverPeersAsync(inputs, TrackerOverride, cancellationToken);
}
