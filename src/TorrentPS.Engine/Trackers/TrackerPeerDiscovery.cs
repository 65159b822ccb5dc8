using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// Finds a torrent's peers through its trackers: every tier at once (up to a bound), within a tier one tracker after
/// another until one answers (BEP 12), peers reported as they arrive, each endpoint once, our own never.
/// </summary>
/// <remarks>
/// Bounded in time and in what a torrent can make us do, however many trackers it lists and however silent they are
/// (<see cref="TrackerDiscoveryOptions"/>): at most <see cref="TrackerDiscoveryOptions.MaxTrackers"/> trackers are
/// contacted; the whole discovery ends by <see cref="TrackerDiscoveryOptions.EffectiveOverallTimeout"/>; and within a
/// tier a tracker silent for <see cref="TrackerDiscoveryOptions.EffectiveTierStagger"/> no longer holds back the next
/// one, which is asked as well (the first answer wins, the others are called off and not reported).
/// <para>
/// A one-off discovery leaves no trace (<see cref="TrackerDiscoveryOptions.LeaveAfterwards"/>): every tracker that
/// answered our <c>started</c> is told <c>stopped</c> at once, within a short deadline, and the discovery ends only
/// once those announces have ended, however it ends (done, stopped early by the consumer, cancelled).
/// </para>
/// </remarks>
public static class TrackerPeerDiscovery
{
    public static IAsyncEnumerable<TrackerDiscoveryEvent> DiscoverAsync(
        PeerDiscoveryTarget target, TrackerDiscoveryOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
        => DiscoverAsync(target, new TrackerTierList(target.TrackerTiers), options, progress: null, logger, cancellationToken);

    /// <summary>
    /// Discovery that also reports its progress: a <see cref="TrackerBatchProgress"/> at the start and after every
    /// change, written to <paramref name="progress"/> with <c>TryWrite</c> (give an unbounded channel, or one that
    /// drops the oldest: the discovery never waits for its reader), which is completed when the enumeration ends.
    /// </summary>
    public static IAsyncEnumerable<TrackerDiscoveryEvent> DiscoverAsync(
        PeerDiscoveryTarget target, TrackerDiscoveryOptions options, ChannelWriter<TrackerBatchProgress> progress, ILogger? logger = null, CancellationToken cancellationToken = default)
        => DiscoverAsync(target, new TrackerTierList(target.TrackerTiers), options, progress, logger, cancellationToken);

    /// <summary>Discovery over tiers the caller keeps, so their order and state outlive this call.</summary>
    internal static IAsyncEnumerable<TrackerDiscoveryEvent> DiscoverAsync(
        PeerDiscoveryTarget target, TrackerTierList tiers, TrackerDiscoveryOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
        => DiscoverAsync(target, tiers, options, progress: null, logger, cancellationToken);

    /// <summary>Discovery over tiers the caller keeps, reporting its progress to <paramref name="progress"/> when given (see above).</summary>
    internal static async IAsyncEnumerable<TrackerDiscoveryEvent> DiscoverAsync(
        PeerDiscoveryTarget target,
        TrackerTierList tiers,
        TrackerDiscoveryOptions options,
        ChannelWriter<TrackerBatchProgress>? progress,
        ILogger? logger = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var selected = SelectTiers(tiers, options.MaxTrackers, logger, target);
        var ledger = TrackerBatchLedger.ForDiscovery(target.InfoHash, selected, tiers.All.Count - selected.Sum(t => t.Count), options, progress);
        try
        {
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
                    ledger.PeerFound();
                    yield return TrackerDiscoveryEvent.ForPeer(new TorrentPeer(known.Address, known.Port, target.InfoHash, PeerSource.Magnet));
                }
            }

            if (selected.Count == 0)
            {
                yield break;
            }

            var channel = Channel.CreateUnbounded<TrackerDiscoveryEvent>(new UnboundedChannelOptions { SingleReader = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var overall = new CancellationTokenSource(options.EffectiveOverallTimeout, options.Time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, overall.Token);
            using var http = TrackerHttp.CreateClient(options.Tracker.LocalAddress);
            using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
            var request = options.CreateAnnounceRequest(target);
            var farewells = options.LeaveAfterwards && request.Event != TrackerEvent.Stopped
                ? new StoppedAnnounces(options.EffectiveStoppedTimeout, options.Time, logger)
                : null;
            var run = new TierRun(tiers, request, options, http, channel.Writer, ledger, farewells, logger, stop.Token, deadline.Token);
            var work = new Task[selected.Count];
            for (var i = 0; i < work.Length; i++)
            {
                work[i] = AnnounceTierAsync(run, selected[i], gate);
            }

            var all = Task.WhenAll(work);
            _ = all.ContinueWith(_ => channel.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            try
            {
                await foreach (var found in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (found.Kind == TrackerDiscoveryEventKind.Peer)
                    {
                        if (!seen.Add(Normalize(found.Peer!.IPEndPoint)))
                        {
                            continue;
                        }

                        ledger.PeerFound();
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
                finally
                {
                    if (farewells is not null)
                    {
                        await farewells.WhenSentAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            ledger.Complete();
        }
    }

    /// <summary>The tiers' trackers in trying order, cut after <paramref name="maxTrackers"/> in all.</summary>
    internal static List<IReadOnlyList<TrackerState>> SelectTiers(TrackerTierList tiers, int maxTrackers, ILogger logger, PeerDiscoveryTarget target)
    {
        var selected = new List<IReadOnlyList<TrackerState>>();
        var budget = Math.Max(1, maxTrackers);
        var skipped = 0;
        for (var tier = 0; tier < tiers.TierCount; tier++)
        {
            var trackers = tiers.GetTier(tier);
            if (budget == 0)
            {
                skipped += trackers.Count;
                continue;
            }

            var take = Math.Min(budget, trackers.Count);
            skipped += trackers.Count - take;
            budget -= take;
            selected.Add(take == trackers.Count ? trackers : trackers.Take(take).ToArray());
        }

        if (skipped > 0)
        {
            logger.LogWarning("The torrent {InfoHash} lists {Count} trackers; only the first {Max} are asked.", target.InfoHash, skipped + Math.Max(1, maxTrackers), Math.Max(1, maxTrackers));
        }

        return selected;
    }

    /// <summary>
    /// One tier: its trackers in order, the next one asked when the last fails or has been silent for the stagger
    /// delay; the first to answer wins and the others are called off. Reports each answer or failure.
    /// </summary>
    private static async Task AnnounceTierAsync(TierRun run, IReadOnlyList<TrackerState> trackers, SemaphoreSlim gate)
    {
        try
        {
            await gate.WaitAsync(run.Deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the discovery ended (or its deadline passed) before this tier's turn
        }

        run.Ledger.Entered(trackers[0]);
        using var won = CancellationTokenSource.CreateLinkedTokenSource(run.Deadline);
        var running = new List<(TrackerState Tracker, Task<AnnounceResponse> Request)>();
        var next = 0;
        void AskNext()
        {
            run.Ledger.Asking(trackers[next]);
            running.Add((trackers[next], run.AnnounceAsync(trackers[next], won.Token)));
            next++;
        }

        try
        {
            AskNext();
            while (running.Count > 0)
            {
                var stagger = next < trackers.Count && !won.IsCancellationRequested ? Task.Delay(run.Options.EffectiveTierStagger, run.Options.Time, won.Token) : null;
                var finished = await Task.WhenAny(running.Select(r => (Task)r.Request).Concat(stagger is null ? [] : [stagger])).ConfigureAwait(false);
                if (ReferenceEquals(finished, stagger))
                {
                    if (!won.IsCancellationRequested)
                    {
                        AskNext(); // the trackers asked so far are silent: ask the next one as well
                    }

                    continue;
                }

                var index = running.FindIndex(r => ReferenceEquals(r.Request, finished));
                var (tracker, request) = running[index];
                running.RemoveAt(index);
                if (request.IsCompletedSuccessfully)
                {
                    run.Answered(tracker, request.Result);
                    await won.CancelAsync().ConfigureAwait(false); // the tier has its answer: call the others off, unreported
                    return;
                }

                run.Failed(tracker, request.Exception?.InnerException ?? new OperationCanceledException());
                if (next < trackers.Count && !won.IsCancellationRequested)
                {
                    AskNext();
                }
            }
        }
        finally
        {
            gate.Release();
            await Task.WhenAll(running.Select(r => (Task)r.Request)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    /// <summary>What every tier of one discovery shares: the request, the clients' options, the output and the two ways to stop.</summary>
    private sealed class TierRun(
        TrackerTierList tiers,
        AnnounceRequest request,
        TrackerDiscoveryOptions options,
        HttpClient http,
        ChannelWriter<TrackerDiscoveryEvent> output,
        TrackerBatchLedger ledger,
        StoppedAnnounces? farewells,
        ILogger logger,
        CancellationToken stopped,
        CancellationToken deadline)
    {
        public TrackerDiscoveryOptions Options => options;

        /// <summary>Where each step is recorded for the progress snapshots.</summary>
        public TrackerBatchLedger Ledger => ledger;

        /// <summary>Cancelled when the consumer stops, or when the overall deadline passes.</summary>
        public CancellationToken Deadline => deadline;

        public async Task<AnnounceResponse> AnnounceAsync(TrackerState tracker, CancellationToken cancellationToken)
        {
            logger.LogDebug("Announcing {InfoHash} to {Tracker} (tier {Tier})", request.InfoHash, tracker.Url, tracker.Tier);
            var client = TrackerClientFactory.Create(tracker.Url, options.Tracker, http);
            try
            {
                var response = await client.AnnounceAsync(request, cancellationToken).ConfigureAwait(false);

                if (farewells is not null)
                {
                    // The tracker lists us now, whether or not its answer is the one reported: tell it we leave.
                    farewells.Send(client, request);
                    client = null;
                }

                return response;
            }
            finally
            {
                client?.Dispose();
            }
        }

        public void Answered(TrackerState tracker, AnnounceResponse response)
        {
            tracker.RecordAnnounce(DateTimeOffset.UtcNow, response);
            tiers.Promote(tracker);
            ledger.Answered(tracker);
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
        }

        /// <summary>Reports a failure; a request called off (another answered, or the consumer stopped) is not one.</summary>
        public void Failed(TrackerState tracker, Exception error)
        {
            if (error is OperationCanceledException)
            {
                if (stopped.IsCancellationRequested || !deadline.IsCancellationRequested)
                {
                    return;
                }

                // Still waiting when the whole discovery's time ran out.
                error = new TrackerTimeoutException(tracker.Url, options.EffectiveOverallTimeout);
            }

            var typed = TrackerErrors.Typed(tracker.Url, error);
            tracker.RecordFailure(DateTimeOffset.UtcNow, typed);
            ledger.Failed(tracker);
            logger.LogDebug("{Tracker} failed: {Message}", tracker.Url, typed.Message);
            output.TryWrite(TrackerDiscoveryEvent.ForFailure(tracker.Url, typed));
        }
    }
}
