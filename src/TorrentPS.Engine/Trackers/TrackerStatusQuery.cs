using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// Asks every tracker of a torrent for its counts: a scrape, and an announce (asking for no peers) when the scrape
/// fails or the tracker has none. Reports one <see cref="TrackerStatus"/> per tracker, in tier order. Bounded like
/// discovery: only the first <see cref="TrackerDiscoveryOptions.MaxTrackers"/> are contacted (the rest are reported
/// as not contacted), and by <see cref="TrackerDiscoveryOptions.EffectiveOverallTimeout"/> every tracker still
/// waited on is reported as timed out.
/// </summary>
public static class TrackerStatusQuery
{
    public static async IAsyncEnumerable<TrackerStatus> QueryAsync(
        PeerDiscoveryTarget target,
        TrackerDiscoveryOptions options,
        ILogger? logger = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var tiers = new TrackerTierList(target.TrackerTiers, shuffle: false);
        var trackers = tiers.All;
        if (trackers.Count == 0)
        {
            yield break;
        }

        var contacted = Math.Min(trackers.Count, Math.Max(1, options.MaxTrackers));
        if (contacted < trackers.Count)
        {
            logger.LogWarning("The torrent {InfoHash} lists {Count} trackers; only the first {Max} are asked.", target.InfoHash, trackers.Count, contacted);
        }

        using var http = TrackerHttp.CreateClient(options.Tracker.LocalAddress);
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.EffectiveOverallTimeout);
        // An announce here only asks for counts: no event, no peers.
        var request = options.CreateAnnounceRequest(target) with { Event = TrackerEvent.None, NumWant = 0 };
        var scope = new QueryScope(request, options, http, gate, logger, cancellationToken, deadline.Token);
        var work = trackers.Take(contacted).Select(scope.QueryOneAsync).ToArray();
        try
        {
            foreach (var task in work)
            {
                yield return await task.ConfigureAwait(false);
            }

            for (var i = contacted; i < trackers.Count; i++)
            {
                yield return trackers[i].Snapshot(request.InfoHash);
            }
        }
        finally
        {
            try
            {
                await Task.WhenAll(work).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped early.
            }
        }
    }

    /// <summary>What the queries of one call share, and the two ways they end: the caller stops, or the deadline passes.</summary>
    private sealed class QueryScope(
        AnnounceRequest request,
        TrackerDiscoveryOptions options,
        HttpClient http,
        SemaphoreSlim gate,
        ILogger logger,
        CancellationToken stopped,
        CancellationToken deadline)
    {
        public async Task<TrackerStatus> QueryOneAsync(TrackerState tracker)
        {
            try
            {
                await gate.WaitAsync(deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopped.IsCancellationRequested)
            {
                return TimedOut(tracker);
            }

            try
            {
                return await AskAsync(tracker).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopped.IsCancellationRequested)
            {
                return TimedOut(tracker);
            }
            finally
            {
                gate.Release();
            }
        }

        private TrackerStatus TimedOut(TrackerState tracker)
        {
            tracker.RecordFailure(DateTimeOffset.UtcNow, new TrackerTimeoutException(tracker.Url, options.EffectiveOverallTimeout), fromAnnounce: false);
            return tracker.Snapshot(request.InfoHash);
        }

        private async Task<TrackerStatus> AskAsync(TrackerState tracker)
        {
            ITrackerClient client;
            try
            {
                client = TrackerClientFactory.Create(tracker.Url, options.Tracker, http);
            }
            catch (UnsupportedTrackerException ex)
            {
                tracker.RecordFailure(DateTimeOffset.UtcNow, ex, fromAnnounce: false);
                return tracker.Snapshot(request.InfoHash);
            }

            using (client)
            {
                try
                {
                    tracker.RecordScrape(await client.ScrapeAsync(request.InfoHash, deadline).ConfigureAwait(false));
                    return tracker.Snapshot(request.InfoHash);
                }
                catch (TrackerTimeoutException ex)
                {
                    // A tracker silent to a scrape will be silent to an announce too.
                    tracker.RecordFailure(DateTimeOffset.UtcNow, ex, fromAnnounce: false);
                    return tracker.Snapshot(request.InfoHash);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !deadline.IsCancellationRequested)
                {
                    logger.LogDebug("Scrape of {Tracker} failed ({Message}); announcing instead", tracker.Url, ex.Message);
                }

                try
                {
                    tracker.RecordAnnounce(DateTimeOffset.UtcNow, await client.AnnounceAsync(request, deadline).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !deadline.IsCancellationRequested)
                {
                    tracker.RecordFailure(DateTimeOffset.UtcNow, TrackerErrors.Typed(tracker.Url, ex));
                }

                return tracker.Snapshot(request.InfoHash);
            }
        }
    }
}
