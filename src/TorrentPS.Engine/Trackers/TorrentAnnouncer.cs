using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// The trackers of one running torrent (BEP 12): each tier announces on its own, to the first of its trackers that
/// answers (which then moves to the front), again after the tracker's interval, sooner (within its min interval) when
/// the torrent asks for peers, with exponential back-off after failures, <c>started</c> first, <c>completed</c> once
/// when the download finishes, and <c>stopped</c> at the end to every tracker that heard from us, with the real
/// uploaded, downloaded and left figures the torrent reports.
/// </summary>
internal sealed class TorrentAnnouncer : IAsyncDisposable
{
    /// <summary>The most trackers one torrent makes us contact: a crafted torrent cannot make us talk to thousands.</summary>
    public const int MaxTrackers = 32;

    private readonly InfoHash _infoHash;
    private readonly AnnounceIdentity _identity;
    private readonly TrackerOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<AnnounceFigures> _figures;
    private readonly Action<string, IReadOnlyList<IPEndPoint>> _onPeers;
    private readonly Action<string, string> _onFailure;
    private readonly ILogger _logger;
    private readonly TrackerTierList _tiers;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim[] _wake;
    private readonly List<TrackerState> _announced = [];
    private Task _running = Task.CompletedTask;
    private int _completed;

    public TorrentAnnouncer(
        InfoHash infoHash,
        IReadOnlyList<IReadOnlyList<string>> tiers,
        AnnounceIdentity identity,
        TrackerOptions options,
        Func<AnnounceFigures> figures,
        Action<string, IReadOnlyList<IPEndPoint>> onPeers,
        Action<string, string> onFailure,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        _infoHash = infoHash;
        _identity = identity;
        _options = options;
        _figures = figures;
        _onPeers = onPeers;
        _onFailure = onFailure;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _tiers = new TrackerTierList(Cap(tiers));
        _http = TrackerHttp.CreateClient(options.LocalAddress ?? identity.LocalAddress);
        _wake = new SemaphoreSlim[_tiers.TierCount];
        for (var i = 0; i < _wake.Length; i++)
        {
            _wake[i] = new SemaphoreSlim(0, 1);
        }
    }

    /// <summary>Every tracker's state, tier by tier (for status).</summary>
    public IReadOnlyList<TrackerState> Trackers => _tiers.All;

    public int TierCount => _tiers.TierCount;

    /// <summary>Starts every tier announcing (<c>started</c> first).</summary>
    public void Start()
    {
        var tiers = new Task[_tiers.TierCount];
        for (var tier = 0; tier < tiers.Length; tier++)
        {
            tiers[tier] = RunTierAsync(tier, _stopping.Token);
        }

        _running = Task.WhenAll(tiers);
    }

    /// <summary>The download finished: every tier announces <c>completed</c> as soon as its min interval allows.</summary>
    public void Completed()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            WakeAll();
        }
    }

    /// <summary>The torrent needs peers: every tier announces as soon as its min interval (or back-off) allows.</summary>
    public void RequestPeers()
    {
        foreach (var tracker in _tiers.All)
        {
            lock (tracker.Schedule)
            {
                // Regular announces become due at the earliest moment the tracker accepts one.
                tracker.Schedule.Expedite();
            }
        }

        WakeAll();
    }

    /// <summary>Stops announcing and tells every tracker that heard from us that we stopped, waiting at most <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }

        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        TrackerState[] heard;
        lock (_announced)
        {
            heard = _announced.Distinct().ToArray();
        }

        if (heard.Length == 0)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(timeout);
        var request = CreateRequest(TrackerEvent.Stopped);
        await Task.WhenAll(heard.Select(async tracker =>
        {
            try
            {
                using var client = TrackerClientFactory.Create(tracker.Url, _options with { Timeout = timeout }, _http);
                await client.AnnounceAsync(request, deadline.Token).ConfigureAwait(false);
                _logger.LogDebug("Told {Tracker} that we stopped", tracker.Url);
            }
            catch (Exception ex)
            {
                _logger.LogDebug("{Tracker} did not take our stopped announce: {Reason}", tracker.Url, ex.Message);
            }
        })).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
            try
            {
                await _running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _http.Dispose();
    }

    private async Task RunTierAsync(int tier, CancellationToken cancellationToken)
    {
        var pending = TrackerEvent.Started;
        var completedSent = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (pending == TrackerEvent.None && !completedSent && Volatile.Read(ref _completed) == 1)
            {
                pending = TrackerEvent.Completed;
            }

            var now = _time.GetUtcNow();
            foreach (var tracker in _tiers.GetTier(tier))
            {
                if (!MayAnnounce(tracker, now, pending))
                {
                    continue;
                }

                try
                {
                    var request = CreateRequest(pending);
                    _logger.LogDebug("Announcing {InfoHash} to {Tracker} (tier {Tier}, event {Event})", _infoHash, tracker.Url, tier, pending);
                    using var client = TrackerClientFactory.Create(tracker.Url, _options, _http);
                    var response = await client.AnnounceAsync(request, cancellationToken).ConfigureAwait(false);
                    tracker.RecordAnnounce(_time.GetUtcNow(), response);
                    _tiers.Promote(tracker);
                    lock (_announced)
                    {
                        _announced.Add(tracker);
                    }

                    _logger.LogInformation("{Tracker} answered: {Count} peers, next announce in {Interval}", tracker.Url, response.Peers.Count, response.Interval);
                    if (!string.IsNullOrEmpty(response.WarningMessage))
                    {
                        _logger.LogWarning("{Tracker} warns: {Warning}", tracker.Url, response.WarningMessage);
                    }

                    completedSent |= pending == TrackerEvent.Completed;
                    pending = TrackerEvent.None;
                    _onPeers(tracker.Url, response.Peers);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var error = TrackerErrors.Typed(tracker.Url, ex);
                    tracker.RecordFailure(_time.GetUtcNow(), error);
                    _logger.LogInformation("{Tracker} failed: {Reason}", tracker.Url, error.Message);
                    _onFailure(tracker.Url, error.Message);
                }
            }

            await WaitForNextAsync(tier, pending, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An event goes out once the min interval allows; after failures, only when the back-off has passed.</summary>
    private static bool MayAnnounce(TrackerState tracker, DateTimeOffset now, TrackerEvent pending)
    {
        lock (tracker.Schedule)
        {
            return tracker.Schedule.ConsecutiveFailures > 0 ? tracker.Schedule.IsDue(now) : tracker.Schedule.MayAnnounce(now, pending);
        }
    }

    /// <summary>Sleeps until one of the tier's trackers may take the pending announce, or until the torrent asks for peers or completes.</summary>
    private async Task WaitForNextAsync(int tier, TrackerEvent pending, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var wait = TimeSpan.FromHours(1);
        foreach (var tracker in _tiers.GetTier(tier))
        {
            lock (tracker.Schedule)
            {
                var schedule = tracker.Schedule;
                var until = pending is TrackerEvent.None || schedule.ConsecutiveFailures > 0
                    ? schedule.TimeUntilNext(now)
                    : schedule.EarliestAnnounce - now;
                wait = until < wait ? until : wait;
            }
        }

        if (wait <= TimeSpan.Zero)
        {
            wait = TimeSpan.FromMilliseconds(50);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var delay = _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timer, wait, Timeout.InfiniteTimeSpan);
        try
        {
            await _wake[tier].WaitAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The tracker is due.
        }
    }

    private void WakeAll()
    {
        foreach (var wake in _wake)
        {
            try
            {
                wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    private AnnounceRequest CreateRequest(TrackerEvent trackerEvent)
    {
        var figures = _figures();
        return new AnnounceRequest
        {
            InfoHash = _infoHash,
            PeerId = _identity.PeerId,
            Port = _identity.Port,
            Key = _identity.Key,
            Uploaded = figures.Uploaded,
            Downloaded = figures.Downloaded,
            Left = figures.Left,
            Event = trackerEvent,
            NumWant = trackerEvent == TrackerEvent.Stopped ? 0 : 200,
        };
    }

    private static IReadOnlyList<IReadOnlyList<string>> Cap(IReadOnlyList<IReadOnlyList<string>> tiers)
    {
        var left = MaxTrackers;
        var capped = new List<IReadOnlyList<string>>();
        foreach (var tier in tiers)
        {
            if (left <= 0)
            {
                break;
            }

            var kept = tier.Take(left).ToArray();
            left -= kept.Length;
            capped.Add(kept);
        }

        return capped;
    }
}

/// <summary>Who we are to trackers: peer id, listen port, key, and the local address to announce from.</summary>
internal sealed record AnnounceIdentity(PeerId PeerId, int Port, uint Key, IPAddress? LocalAddress = null);

/// <summary>The figures an announce reports: bytes uploaded and downloaded this session, bytes left to download.</summary>
internal readonly record struct AnnounceFigures(long Uploaded, long Downloaded, long Left);
