using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// Asks every tracker of a torrent for its counts: a scrape, and an announce (asking for no peers) when the scrape
/// fails or the tracker has none. Reports one <see cref="TrackerStatus"/> per tracker, in tier order.
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

        using var http = TrackerHttp.CreateClient(options.Tracker.LocalAddress);
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        // An announce here only asks for counts: no event, no peers.
        var request = options.CreateAnnounceRequest(target) with { Event = TrackerEvent.None, NumWant = 0 };
        var work = trackers.Select(t => QueryOneAsync(t, request, options.Tracker, http, gate, logger, cancellationToken)).ToArray();
        try
        {
            foreach (var task in work)
            {
                yield return await task.ConfigureAwait(false);
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

    private static async Task<TrackerStatus> QueryOneAsync(
        TrackerState tracker, AnnounceRequest request, TrackerOptions trackerOptions, HttpClient http, SemaphoreSlim gate, ILogger logger, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ITrackerClient client;
            try
            {
                client = TrackerClientFactory.Create(tracker.Url, trackerOptions, http);
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
                    tracker.RecordScrape(await client.ScrapeAsync(request.InfoHash, cancellationToken).ConfigureAwait(false));
                    return tracker.Snapshot(request.InfoHash);
                }
                catch (TrackerTimeoutException ex)
                {
                    // A tracker silent to a scrape will be silent to an announce too.
                    tracker.RecordFailure(DateTimeOffset.UtcNow, ex, fromAnnounce: false);
                    return tracker.Snapshot(request.InfoHash);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    logger.LogDebug("Scrape of {Tracker} failed ({Message}); announcing instead", tracker.Url, ex.Message);
                }

                try
                {
                    tracker.RecordAnnounce(DateTimeOffset.UtcNow, await client.AnnounceAsync(request, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    tracker.RecordFailure(DateTimeOffset.UtcNow, TrackerErrors.Typed(tracker.Url, ex));
                }

                return tracker.Snapshot(request.InfoHash);
            }
        }
        finally
        {
            gate.Release();
        }
    }
}
