using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Trackers;

/// <summary>
/// The work behind Get-TorrentPeer and Get-TorrentTracker, free of PowerShell so xunit reaches it: resolve each
/// input, make one engine call, and route what comes back to output, errors, warnings and verbose messages.
/// </summary>
internal sealed class TrackerCommandRunner(TrackerDiscoveryOptions options, TrackerCommandOutput output, ILogger logger)
{
    public const int DefaultTimeoutSec = 15;

    public static TrackerDiscoveryOptions Options(int timeoutSec)
        => TrackerDiscoveryOptions.FromSession(TorrentSession.Shared, TimeSpan.FromSeconds(timeoutSec));

    /// <summary>Get-TorrentPeer: one TorrentPeer per distinct peer as it arrives; failed trackers as non-terminating errors.</summary>
    public async Task<PeerDiscoverySummary> DiscoverPeersAsync(IReadOnlyList<TrackerInput> inputs, IReadOnlyList<string>? trackers, CancellationToken cancellationToken)
    {
        var summary = PeerDiscoverySummary.Empty;
        await foreach (var target in ResolveEachAsync(inputs, trackers, cancellationToken).ConfigureAwait(false))
        {
            if (target.TrackerTiers.Count == 0 && target.KnownPeers.Count == 0)
            {
                output.Warning($"The torrent {target.InfoHash} lists no trackers and no peers; give some with -Tracker.");
                continue;
            }

            output.Verbose($"Asking {target.TrackerTiers.Sum(t => t.Count)} tracker(s) in {target.TrackerTiers.Count} tier(s) for peers of {target.InfoHash}.");
            await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(target, options, logger, cancellationToken).ConfigureAwait(false))
            {
                switch (found.Kind)
                {
                    case TrackerDiscoveryEventKind.Peer:
                        output.Object(found.Peer!);
                        summary = summary.Add(found.Peer, false, false);
                        break;
                    case TrackerDiscoveryEventKind.Answered:
                        output.Verbose($"{found.TrackerUrl} answered with {found.Response!.Peers.Count} peer(s); next announce in {found.Response.Interval.TotalSeconds:0} s.");
                        summary = summary.Add(null, true, false);
                        break;
                    case TrackerDiscoveryEventKind.Warning:
                        output.Warning($"The tracker '{found.TrackerUrl}' warns: {found.Warning}");
                        break;
                    case TrackerDiscoveryEventKind.Failed:
                        output.Error(found.Error!, found.TrackerUrl);
                        summary = summary.Add(null, false, true);
                        break;
                }
            }
        }

        return summary;
    }

    /// <summary>Get-TorrentTracker: one TrackerStatus per tracker, in tier order.</summary>
    public async Task QueryTrackersAsync(IReadOnlyList<TrackerInput> inputs, IReadOnlyList<string>? trackers, CancellationToken cancellationToken)
    {
        await foreach (var target in ResolveEachAsync(inputs, trackers, cancellationToken).ConfigureAwait(false))
        {
            if (target.TrackerTiers.Count == 0)
            {
                output.Warning($"The torrent {target.InfoHash} lists no trackers; give some with -Tracker.");
                continue;
            }

            await foreach (var status in TrackerStatusQuery.QueryAsync(target, options, logger, cancellationToken).ConfigureAwait(false))
            {
                output.Object(status);
            }
        }
    }

    /// <summary>The target of each input in turn; an input that does not resolve is a non-terminating error, and the next one runs.</summary>
    private async IAsyncEnumerable<PeerDiscoveryTarget> ResolveEachAsync(
        IReadOnlyList<TrackerInput> inputs, IReadOnlyList<string>? trackers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            PeerDiscoveryTarget target;
            try
            {
                target = await input.ResolveAsync(trackers, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                output.Error(ex, input.Target);
                continue;
            }

            yield return target;
        }
    }
}
