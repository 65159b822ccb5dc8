using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
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
        => TorrentSession.Shared.CreateDiscoveryOptions(TimeSpan.FromSeconds(timeoutSec));

    /// <summary>Get-TorrentPeer: one TorrentPeer per distinct peer as it arrives; failed trackers as non-terminating errors.</summary>
    /// <param name="dhtLookup">Asks the DHT for a torrent's peers (Get-TorrentPeer -Source Dht); null to ask trackers only.</param>
    /// <param name="askTrackers">Whether to ask the trackers (and take the link's peers): -Source Tracker.</param>
    public async Task<PeerDiscoverySummary> DiscoverPeersAsync(
        IReadOnlyList<TrackerInput> inputs,
        IReadOnlyList<string>? trackers,
        CancellationToken cancellationToken,
        Func<InfoHash, CancellationToken, Task<IReadOnlyList<TorrentPeer>>>? dhtLookup = null,
        bool askTrackers = true)
    {
        var summary = PeerDiscoverySummary.Empty;
        await foreach (var (target, name) in ResolveEachAsync(inputs, trackers, cancellationToken).ConfigureAwait(false))
        {
            var emitted = new HashSet<System.Net.IPEndPoint>();
            var askDht = dhtLookup is not null && !target.IsPrivate;
            if (askTrackers)
            {
                summary = await AskTrackersAsync(target, name, summary, emitted, warnWhenEmpty: !askDht, cancellationToken).ConfigureAwait(false);
            }

            if (dhtLookup is not null && target.IsPrivate)
            {
                output.Verbose($"{TrackerNarration.Subject(name, target.InfoHash)} is private: its peers come from its trackers only, not the DHT.");
            }
            else if (askDht)
            {
                output.Verbose($"Asking the DHT for peers of {TrackerNarration.Subject(name, target.InfoHash)}");
                var peers = await dhtLookup!(target.InfoHash, cancellationToken).ConfigureAwait(false);
                var before = summary.Peers;
                foreach (var peer in peers)
                {
                    if (emitted.Add(peer.IPEndPoint))
                    {
                        output.Object(peer);
                        summary = summary.Add(peer, false, false);
                    }
                }

                output.Verbose($"The DHT named {Engine.Text.Units.Count(summary.Peers - before, "new peer")} of {TrackerNarration.Subject(name, target.InfoHash)}.");
            }
        }

        return summary;
    }

    private async Task<PeerDiscoverySummary> AskTrackersAsync(PeerDiscoveryTarget target, string? name, PeerDiscoverySummary summary, HashSet<System.Net.IPEndPoint> emitted, bool warnWhenEmpty, CancellationToken cancellationToken)
    {
        if (target.TrackerTiers.Count == 0 && target.KnownPeers.Count == 0)
        {
            if (warnWhenEmpty)
            {
                output.Warning($"The torrent {target.InfoHash} lists no trackers and no peers; give some with -Tracker.");
            }

            return summary;
        }

        output.Verbose(TrackerNarration.Asking(target, name, TrackerAskMode.Discovery));
        var before = summary;

        // Known peers alone (a magnet link without trackers) come at once: no progress to show.
        await using (var progress = target.TrackerTiers.Count > 0 ? StartProgress(target, name, TrackerAskMode.Discovery) : null)
        {
            var found = progress is null
                ? TrackerPeerDiscovery.DiscoverAsync(target, options, logger, cancellationToken)
                : TrackerPeerDiscovery.DiscoverAsync(target, options, progress.Writer, logger, cancellationToken);
            await foreach (var next in found.ConfigureAwait(false))
            {
                switch (next.Kind)
                {
                    case TrackerDiscoveryEventKind.Peer:
                        if (emitted.Add(next.Peer!.IPEndPoint))
                        {
                            output.Object(next.Peer!);
                            summary = summary.Add(next.Peer, false, false);
                        }

                        break;
                    case TrackerDiscoveryEventKind.Answered:
                        output.Verbose(TrackerNarration.Answered(next.TrackerUrl!, next.Response!));
                        summary = summary.Add(null, true, false);
                        break;
                    case TrackerDiscoveryEventKind.Warning:
                        output.Warning($"The tracker '{next.TrackerUrl}' warns: {next.Warning}");
                        break;
                    case TrackerDiscoveryEventKind.Failed:
                        output.Verbose(TrackerNarration.Failed(next.TrackerUrl!, next.Error!));
                        output.Error(next.Error!, next.TrackerUrl);
                        summary = summary.Add(null, false, true);
                        break;
                }
            }
        }

        output.Verbose(TrackerNarration.PeersFound(
            TrackerNarration.Subject(name, target.InfoHash),
            summary.Peers - before.Peers,
            summary.TrackersAnswered - before.TrackersAnswered,
            summary.TrackersFailed - before.TrackersFailed));

        return summary;
    }

    /// <summary>Get-TorrentTracker: one TrackerStatus per tracker, in tier order.</summary>
    public async Task QueryTrackersAsync(IReadOnlyList<TrackerInput> inputs, IReadOnlyList<string>? trackers, CancellationToken cancellationToken)
    {
        await foreach (var (target, name) in ResolveEachAsync(inputs, trackers, cancellationToken).ConfigureAwait(false))
        {
            if (target.TrackerTiers.Count == 0)
            {
                output.Warning($"The torrent {target.InfoHash} lists no trackers; give some with -Tracker.");
                continue;
            }

            output.Verbose(TrackerNarration.Asking(target, name, TrackerAskMode.Status));
            var (working, total) = (0, 0);
            await using (var progress = StartProgress(target, name, TrackerAskMode.Status))
            {
                await foreach (var status in TrackerStatusQuery.QueryAsync(target, options, progress.Writer, logger, cancellationToken).ConfigureAwait(false))
                {
                    output.Verbose(TrackerNarration.Status(status));
                    output.Object(status);
                    (working, total) = (working + (status.Status == TrackerStatusKind.Working ? 1 : 0), total + 1);
                }
            }

            output.Verbose(TrackerNarration.StatusDone(TrackerNarration.Subject(name, target.InfoHash), working, total));
        }
    }

    /// <summary>One activity for this torrent (<c>Asking trackers of …</c>), counting trackers, fed by the engine's snapshots until disposed.</summary>
    private SnapshotFeed<TrackerBatchProgress> StartProgress(PeerDiscoveryTarget target, string? name, TrackerAskMode mode)
    {
        var activity = TrackerProgress.ActivityFor(name, target.InfoHash);
        var transfer = output.StartProgress?.Invoke(activity, TrackerProgress.Unit) ?? new TransferProgress(activity, 0, unit: TrackerProgress.Unit);
        return new TrackerProgress(transfer, mode).Feed(update => output.Progress?.Invoke(update));
    }

    /// <summary>The target (and name) of each input in turn; an input that does not resolve is a non-terminating error, and the next one runs.</summary>
    private async IAsyncEnumerable<(PeerDiscoveryTarget Target, string? Name)> ResolveEachAsync(
        IReadOnlyList<TrackerInput> inputs, IReadOnlyList<string>? trackers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            (PeerDiscoveryTarget Target, string? Name) target;
            try
            {
                target = await input.ResolveNamedAsync(trackers, cancellationToken).ConfigureAwait(false);
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
