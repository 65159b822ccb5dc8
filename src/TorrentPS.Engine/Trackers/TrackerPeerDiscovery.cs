using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// Finds a torrent's peers through its trackers: every tier at once (up to a bound), within a tier one tracker after
/// another until one answers (BEP 12), peers reported as they arrive, each endpoint once, our own never.
/// </summary>
public static class TrackerPeerDiscovery
{
    public static IAsyncEnumerable<TrackerDiscoveryEvent> DiscoverAsync(
        PeerDiscoveryTarget target, TrackerDiscoveryOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
        => DiscoverAsync(target, new TrackerTierList(target.TrackerTiers), options, logger, cancellationToken);

    /// <summary>Discovery over tiers the caller keeps, so their order and state outlive this call.</summary>
    public static async IAsyncEnumerable<TrackerDiscoveryEvent> DiscoverAsync(
        PeerDiscoveryTarget target,
        TrackerTierList tiers,
        TrackerDiscoveryOptions options,
        ILogger? logger = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var seen = new HashSet<IPEndPoint>();
        foreach (var own in options.OwnEndPoints)
        {
            seen.Add(Normalize(own));
        }

        if (options.Tracker.LocalAddress is { } local)
        {
            seen.Add(Normalize(new IPEndPoint(local, options.Port)));
        }

        foreach (var known in target.KnownPeers)
        {
            if (seen.Add(Normalize(known)))
            {
                yield return TrackerDiscoveryEvent.ForPeer(new TorrentPeer(known.Address, known.Port, target.InfoHash, PeerSource.Magnet));
            }
        }

        if (tiers.TierCount == 0)
        {
            yield break;
        }

        var channel = Channel.CreateUnbounded<TrackerDiscoveryEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var http = TrackerHttp.CreateClient(options.Tracker.LocalAddress);
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        var request = options.CreateAnnounceRequest(target);
        var work = new Task[tiers.TierCount];
        for (var tier = 0; tier < work.Length; tier++)
        {
            work[tier] = AnnounceTierAsync(tiers, tier, request, options.Tracker, http, gate, channel.Writer, logger, stop.Token);
        }

        var all = Task.WhenAll(work);
        _ = all.ContinueWith(_ => channel.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var found in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (found.Kind == TrackerDiscoveryEventKind.Peer && !seen.Add(Normalize(found.Peer!.EndPoint)))
                {
                    continue;
                }

                yield return found;
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                await all.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped early: the tier tasks end on the cancelled token.
            }
        }
    }

    private static async Task AnnounceTierAsync(
        TrackerTierList tiers,
        int tier,
        AnnounceRequest request,
        TrackerOptions trackerOptions,
        HttpClient http,
        SemaphoreSlim gate,
        ChannelWriter<TrackerDiscoveryEvent> output,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var tracker in tiers.GetTier(tier))
            {
                try
                {
                    logger.LogDebug("Announcing {InfoHash} to {Tracker} (tier {Tier})", request.InfoHash, tracker.Url, tier);
                    using var client = TrackerClientFactory.Create(tracker.Url, trackerOptions, http);
                    var response = await client.AnnounceAsync(request, cancellationToken).ConfigureAwait(false);
                    tracker.RecordAnnounce(DateTimeOffset.UtcNow, response);
                    tiers.Promote(tracker);
                    logger.LogDebug("{Tracker} answered with {Count} peers, interval {Interval}", tracker.Url, response.Peers.Count, response.Interval);
                    output.TryWrite(TrackerDiscoveryEvent.ForAnswer(tracker.Url, response));
                    if (!string.IsNullOrEmpty(response.WarningMessage))
                    {
                        output.TryWrite(TrackerDiscoveryEvent.ForWarning(tracker.Url, response.WarningMessage));
                    }

                    foreach (var endPoint in response.Peers)
                    {
                        output.TryWrite(TrackerDiscoveryEvent.ForPeer(new TorrentPeer(endPoint.Address, endPoint.Port, request.InfoHash, PeerSource.Tracker, tracker.Url)));
                    }

                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var error = TrackerErrors.Typed(tracker.Url, ex);
                    tracker.RecordFailure(DateTimeOffset.UtcNow, error);
                    logger.LogDebug("{Tracker} failed: {Message}", tracker.Url, error.Message);
                    output.TryWrite(TrackerDiscoveryEvent.ForFailure(tracker.Url, error));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The consumer stopped listening.
        }
        finally
        {
            gate.Release();
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
