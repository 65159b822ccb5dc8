using System.Globalization;

namespace TorrentPS.Bridge.Progress;

/// <summary>
/// The progress of one activity (a torrent, a part of one as a child activity, or a batch of items such as trackers
/// or peers): turns counts in its <see cref="Unit"/> into throttled <see cref="ProgressUpdate"/>s with percent, rate
/// and SecondsRemaining, and always ends with a Completed update carrying the final state. The rate is measured over
/// a sliding window of recent samples. Thread-safe.
/// </summary>
public sealed class TransferProgress
{
    private static readonly TimeSpan SampleSpacing = TimeSpan.FromMilliseconds(100);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ProgressThrottle _throttle;
    private readonly Queue<(long Timestamp, long Completed)> _samples = new();
    private readonly TimeSpan _rateWindow;
    private ProgressSnapshot _last;
    private bool _done;

    public TransferProgress(
        string activity,
        long total,
        int? activityId = null,
        int parentActivityId = -1,
        TimeProvider? time = null,
        TimeSpan? minInterval = null,
        TimeSpan? rateWindow = null,
        ProgressUnit? unit = null)
    {
        ActivityId = activityId ?? ProgressActivityIds.Next();
        if (ActivityId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(activityId), "An activity id is not negative.");
        }

        if (parentActivityId == ActivityId)
        {
            throw new ArgumentException("An activity cannot be its own parent.", nameof(parentActivityId));
        }

        Activity = string.IsNullOrWhiteSpace(activity) ? "TorrentPS" : activity;
        ParentActivityId = parentActivityId;
        Unit = unit ?? ProgressUnit.Bytes;
        _last = new ProgressSnapshot(0, total);
        _time = time ?? TimeProvider.System;
        _throttle = new ProgressThrottle(_time, minInterval);
        _rateWindow = rateWindow ?? TimeSpan.FromSeconds(5);
        _samples.Enqueue((_time.GetTimestamp(), 0));
    }

    public int ActivityId { get; }

    public int ParentActivityId { get; }

    public string Activity { get; }

    /// <summary>What is counted: bytes unless the activity counts items.</summary>
    public ProgressUnit Unit { get; }

    /// <summary>The total, in <see cref="Unit"/>, as last reported; 0 or less when unknown (then no percent or rate-based time remaining).</summary>
    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _last.Total;
            }
        }
    }

    /// <summary>Done so far, in <see cref="Unit"/>.</summary>
    public long Completed
    {
        get
        {
            lock (_gate)
            {
                return _last.Completed;
            }
        }
    }

    /// <summary><see cref="Unit"/>s per second over the recent window; 0 until two samples lie apart.</summary>
    public double RatePerSecond
    {
        get
        {
            lock (_gate)
            {
                return RateLocked();
            }
        }
    }

    /// <summary>A child activity (a file or a peer of this torrent) shown under this one; it counts in this one's unit unless told.</summary>
    public TransferProgress CreateChild(string activity, long total, ProgressUnit? unit = null)
        => new(activity, total, null, ActivityId, _time, _throttle.MinInterval, _rateWindow, unit ?? Unit);

    /// <summary>
    /// Records that <paramref name="completed"/> (of the current total) are done. Returns the update to write, or null
    /// when the throttle holds it back (or the activity has completed).
    /// </summary>
    public ProgressUpdate? Report(long completed, string? currentOperation = null)
    {
        lock (_gate)
        {
            return Report(new ProgressSnapshot(completed, _last.Total) { CurrentOperation = currentOperation });
        }
    }

    /// <summary>
    /// Records a counting caller's state (done, total, its status text and time estimate). Returns the update to write,
    /// or null when the throttle holds it back (or the activity has completed); the latest state is kept for
    /// <see cref="Complete"/> either way.
    /// </summary>
    public ProgressUpdate? Report(ProgressSnapshot snapshot)
    {
        lock (_gate)
        {
            if (_done)
            {
                return null;
            }

            _last = snapshot with { Completed = Math.Max(0, snapshot.Completed) };
            AddSampleLocked();
            if (snapshot.NewPhase)
            {
                _throttle.Restart();
                return BuildLocked(completed: false);
            }

            return _throttle.TryEnter() ? BuildLocked(completed: false) : null;
        }
    }

    /// <summary>
    /// The Completed update that ends the activity; never throttled. Its status is <paramref name="statusDescription"/>,
    /// else the caller's last status text (the final counts), else "Completed". Null if already completed.
    /// </summary>
    public ProgressUpdate? Complete(string? statusDescription = null)
    {
        lock (_gate)
        {
            if (_done)
            {
                return null;
            }

            _done = true;
            var update = BuildLocked(completed: true);
            return update with { StatusDescription = statusDescription ?? _last.Status ?? "Completed" };
        }
    }

    private void AddSampleLocked()
    {
        var now = _time.GetTimestamp();
        var (lastTimestamp, _) = _samples.Last();
        if (_time.GetElapsedTime(lastTimestamp, now) >= SampleSpacing)
        {
            _samples.Enqueue((now, _last.Completed));
        }

        // Keep samples within the window, but always two or more to measure between.
        while (_samples.Count > 2 && _time.GetElapsedTime(_samples.Peek().Timestamp, now) > _rateWindow)
        {
            _samples.Dequeue();
        }
    }

    private double RateLocked()
    {
        var (firstTime, firstCompleted) = _samples.Peek();
        var now = _time.GetTimestamp();
        var seconds = _time.GetElapsedTime(firstTime, now).TotalSeconds;
        if (seconds < SampleSpacing.TotalSeconds)
        {
            return 0;
        }

        return Math.Max(0, _last.Completed - firstCompleted) / seconds;
    }

    private ProgressUpdate BuildLocked(bool completed)
    {
        var rate = RateLocked();
        var total = _last.Total;
        var percent = -1;
        var secondsRemaining = -1;
        string status;
        if (total > 0)
        {
            var done = Math.Min(_last.Completed, total);
            percent = completed ? 100 : (int)Math.Clamp(done * 100 / total, 0, 100);
            if (completed || done == total)
            {
                secondsRemaining = 0;
            }
            else if (rate > 0)
            {
                secondsRemaining = (int)Math.Min(int.MaxValue, Math.Ceiling((total - done) / rate));
            }

            // "40.0 MiB of 100 MiB", but "10 of 40 peers".
            var doneText = Unit.IsBytes ? Unit.FormatAmount(done) : done.ToString(CultureInfo.InvariantCulture);
            status = string.Format(CultureInfo.InvariantCulture, "{0} of {1}", doneText, Unit.FormatAmount(total));
        }
        else
        {
            status = Unit.FormatAmount(_last.Completed);
        }

        if (!completed)
        {
            if (_last.SecondsRemaining is { } own)
            {
                secondsRemaining = Math.Max(-1, own);
            }
            else if (_last.SecondsRemainingLimit is { } limit && limit >= 0 && secondsRemaining != 0)
            {
                secondsRemaining = secondsRemaining < 0 ? limit : Math.Min(secondsRemaining, limit);
            }
        }

        var showRate = _last.Status is null || _last.ShowRate;
        status = _last.Status ?? status;
        if (rate > 0 && !completed && showRate)
        {
            status += (_last.Status is null && Unit.IsBytes ? " at " : ", ") + Unit.FormatRate(rate);
        }

        return new ProgressUpdate(ActivityId, Activity, completed ? "Completed" : status)
        {
            ParentActivityId = ParentActivityId,
            PercentComplete = percent,
            SecondsRemaining = secondsRemaining,
            CurrentOperation = completed ? null : _last.CurrentOperation,
            IsCompleted = completed,
        };
    }
}
