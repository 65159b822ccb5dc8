using System.Globalization;

namespace TorrentPS.Bridge.Progress;

/// <summary>
/// The progress of one activity (a torrent, a part of one as a child activity, or a batch of items such as trackers
/// or peers): turns the engine's snapshots, counted in its <see cref="Unit"/>, into throttled <see cref="ProgressUpdate"/>s
/// with percent, the engine's rate and SecondsRemaining, and always ends with a Completed update carrying the final
/// state. It measures nothing: rates and times are the engine's (one rate estimator, <c>Engine.Rates</c>). Thread-safe.
/// </summary>
public sealed class TransferProgress
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ProgressThrottle _throttle;
    private ProgressSnapshot _last;
    private bool _done;

    public TransferProgress(
        string activity,
        long total,
        int? activityId = null,
        int parentActivityId = -1,
        TimeProvider? time = null,
        TimeSpan? minInterval = null,
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
    }

    public int ActivityId { get; }

    public int ParentActivityId { get; }

    public string Activity { get; }

    /// <summary>What is counted: bytes unless the activity counts items.</summary>
    public ProgressUnit Unit { get; }

    /// <summary>The total, in <see cref="Unit"/>, as last reported; 0 or less when unknown.</summary>
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

    /// <summary>A child activity (a file or a peer of this torrent) shown under this one; it counts in this one's unit unless told.</summary>
    public TransferProgress CreateChild(string activity, long total, ProgressUnit? unit = null)
        => new(activity, total, null, ActivityId, _time, _throttle.MinInterval, unit ?? Unit);

    /// <summary>
    /// Records the engine's state (done, total, rate, time left, its status text). Returns the update to write, or null
    /// when the throttle holds it back (or the activity has completed); the latest state is kept for
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

    private ProgressUpdate BuildLocked(bool completed)
    {
        var total = _last.Total;
        var percent = -1;
        string status;
        if (total > 0)
        {
            var done = Math.Min(_last.Completed, total);
            percent = completed ? 100 : (int)Math.Clamp(done * 100 / total, 0, 100);

            // "40.0 MiB of 100 MiB", but "10 of 40 peers".
            var doneText = Unit.IsBytes ? Unit.FormatAmount(done) : done.ToString(CultureInfo.InvariantCulture);
            status = string.Format(CultureInfo.InvariantCulture, "{0} of {1}", doneText, Unit.FormatAmount(total));
        }
        else
        {
            status = Unit.FormatAmount(_last.Completed);
        }

        status = _last.Status ?? status;
        if (_last.RatePerSecond > 0 && !completed)
        {
            status += (Unit.IsBytes && _last.Status is null ? " at " : ", ") + Unit.FormatRate(_last.RatePerSecond);
        }

        var secondsRemaining = completed || (total > 0 && _last.Completed >= total) ? 0 : Math.Max(-1, _last.SecondsRemaining ?? -1);
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
