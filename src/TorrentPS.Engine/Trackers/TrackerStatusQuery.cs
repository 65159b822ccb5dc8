using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
    public static IAsyncEnumerable<TrackerStatus> QueryAsync(
        PeerDiscoveryTarget target, TrackerDiscoveryOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
        => QueryAsync(target, options, progress: null, logger, cancellationToken);

    /// <summary>
    /// The query, also reporting its progress: a <see cref="TrackerBatchProgress"/> at the start and after every change
    /// (statuses come in tier order, progress as each tracker ends), written to <paramref name="progress"/> with
    /// <c>TryWrite</c> (give an unbounded channel, or one that drops the oldest), which is completed when the
    /// enumeration ends.
    /// </summary>
    public static async IAsyncEnumerable<TrackerStatus> QueryAsync(
        PeerDiscoveryTarget target,
        TrackerDiscoveryOptions options,
        ChannelWriter<TrackerBatchProgress>? progress,
        ILogger? logger = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var tiers = new TrackerTierList(target.TrackerTiers, shuffle: false);
        var trackers = tiers.All;
        var contacted = Math.Min(trackers.Count, Math.Max(1, options.MaxTrackers));
        var ledger = TrackerBatchLedger.ForStatus(target.InfoHash, trackers.Take(contacted).ToArray(), trackers.Count - contacted, options, progress);
        try
        {
            if (trackers.Count == 0)
            {
                yield break;
            }

            if (contacted < trackers.Count)
            {
                logger.LogWarning("The torrent {InfoHash} lists {Count} trackers; only the first {Max} are asked.", target.InfoHash, trackers.Count, contacted);
            }

            using var http = TrackerHttp.CreateClient(options.Tracker.LocalAddress);
            using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
            using var overall = new CancellationTokenSource(options.EffectiveOverallTimeout, options.Time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token);

            // An announce here only asks for counts: no event, no peers.
            var request = options.CreateAnnounceRequest(target) with { Event = TrackerEvent.None, NumWant = 0 };
            var scope = new QueryScope(request, options, http, gate, ledger, logger, cancellationToken, deadline.Token);
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
        finally
        {
            ledger.Complete();
        }
    }

    /// <summary>What the queries of one call share, and the two ways they end: the caller stops, or the deadline passes.</summary>
    private sealed class QueryScope(
        AnnounceRequest request,
        TrackerDiscoveryOptions options,
        HttpClient http,
        SemaphoreSlim gate,
        TrackerBatchLedger ledger,
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
                return Record(tracker, TimedOut(tracker));
            }

            ledger.Entered(tracker);
            ledger.Asking(tracker);
            try
            {
                return Record(tracker, await AskAsync(tracker).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!stopped.IsCancellationRequested)
            {
                return Record(tracker, TimedOut(tracker));
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>Tells the ledger how the tracker ended: working is an answer, anything else a failure.</summary>
        private TrackerStatus Record(TrackerState tracker, TrackerStatus status)
        {
            if (status.Status == TrackerStatusKind.Working)
            {
                ledger.Answered(tracker);
            }
            else
            {
                ledger.Failed(tracker);
            }

            return status;
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
