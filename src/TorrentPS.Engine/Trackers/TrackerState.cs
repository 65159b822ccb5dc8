using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// What we know of one tracker of one torrent: its schedule and its last answer or error. Updated by
/// announce and scrape tasks; read by status snapshots. Thread-safe.
/// </summary>
internal sealed class TrackerState
{
    private readonly object _lock = new();
    private TrackerStatusKind _status = TrackerStatusKind.NotContacted;
    private long? _seeders;
    private long? _leechers;
    private long? _downloaded;
    private string? _lastError;
    private string? _warning;
    private bool _announced;

    public TrackerState(string url, int tier, AnnounceSchedule? schedule = null)
    {
        Url = url;
        Tier = tier;
        Schedule = schedule ?? new AnnounceSchedule();
    }

    public string Url { get; }

    public int Tier { get; }

    /// <summary>When to announce next; lock on this state (or use the methods here) to read it while others write.</summary>
    public AnnounceSchedule Schedule { get; }

    public void RecordAnnounce(DateTimeOffset now, AnnounceResponse response)
    {
        lock (_lock)
        {
            Schedule.RecordSuccess(now, response.Interval, response.MinInterval);
            _announced = true;
            _status = TrackerStatusKind.Working;
            _seeders = response.Seeders ?? _seeders;
            _leechers = response.Leechers ?? _leechers;
            _warning = response.WarningMessage;
            _lastError = null;
        }
    }

    public void RecordScrape(ScrapeResponse response)
    {
        lock (_lock)
        {
            _status = TrackerStatusKind.Working;
            _seeders = response.Seeders;
            _leechers = response.Leechers;
            _downloaded = response.Downloaded;
            _lastError = null;
        }
    }

    public void RecordFailure(DateTimeOffset now, Exception error, bool fromAnnounce = true)
    {
        lock (_lock)
        {
            if (fromAnnounce)
            {
                Schedule.RecordFailure(now);
            }

            _status = error switch
            {
                TrackerTimeoutException => TrackerStatusKind.TimedOut,
                UnsupportedTrackerException => TrackerStatusKind.Unsupported,
                _ => TrackerStatusKind.Failed,
            };
            _lastError = error is TrackerFailedException failed ? failed.Reason : error.Message;
        }
    }

    /// <summary>True when a regular announce to this tracker is due.</summary>
    public bool IsDue(DateTimeOffset now)
    {
        lock (_lock)
        {
            return Schedule.IsDue(now);
        }
    }

    public TrackerStatus Snapshot(InfoHash infoHash)
    {
        lock (_lock)
        {
            return new TrackerStatus
            {
                Url = Url,
                Tier = Tier,
                Hash = infoHash,
                Status = _status,
                Seeders = _seeders,
                Leechers = _leechers,
                Downloaded = _downloaded,
                IntervalSpan = _announced ? Schedule.Interval : null,
                MinIntervalSpan = Schedule.MinInterval,
                LastAnnounce = Schedule.LastAnnounce,
                NextAnnounce = Schedule.NextAnnounce == DateTimeOffset.MinValue ? null : Schedule.NextAnnounce,
                LastError = _lastError,
                Warning = _warning,
            };
        }
    }
}
