using System.Management.Automation;
using TorrentPS.Engine.Peers;
using TorrentPS.Session;
using TorrentPS.Trackers;

namespace TorrentPS.Commands;

/// <summary>
/// Asks for a torrent's peers and emits each distinct peer as it arrives, saying where it came from: its trackers (HTTP
/// and UDP, every tier; a magnet link's own peers too) and the session's DHT (one get_peers lookup; never for a private
/// torrent). <c>-Source</c> narrows it to one of them.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentPeer", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentPeer))]
public sealed class GetTorrentPeerCommand : TrackerInputCmdlet
{
    /// <summary>Where to ask: Tracker (the trackers and the link's peers), Dht (the session's DHT node). Both by default.</summary>
    [Parameter]
    [ValidateSet(nameof(PeerSource.Tracker), nameof(PeerSource.Dht))]
    public PeerSource[] Source { get; set; } = [PeerSource.Tracker, PeerSource.Dht];

    private protected override Task RunAsync(IReadOnlyList<TrackerInput> inputs, CancellationToken cancellationToken)
        => CreateRunner().DiscoverPeersAsync(
            inputs,
            TrackerOverride,
            cancellationToken,
            Source.Contains(PeerSource.Dht) ? ModuleSession.Session.LookupDhtPeersAsync : null,
            askTrackers: Source.Contains(PeerSource.Tracker));
}
