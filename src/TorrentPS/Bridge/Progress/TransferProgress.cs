using System.Globalization;
using TorrentPS.Formatting;

namespace TorrentPS.Bridge.Progress;

/// <summary>
/// The progress of one transfer (a torrent, or a part of one as a child activity): turns byte counts into
/// throttled <see cref="ProgressUpdate"/>s with percent, rate and SecondsRemaining, and always ends with a
/// Completed update. The rate is measured over a sliding window of recent samples. Thread-safe.
/// </summary>
public sealed class TransferProgress
{
    private static readonly TimeSpan SampleSpacing = TimeSpan.FromMilliseconds(100);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ProgressThrottle _throttle;
    private readonly Queue<(long Timestamp, long Bytes)> _samples = new();
    private readonly TimeSpan _rateWindow;
    private long _completedBytes;
    private bool _completed;

    public TransferProgress(string activity, long totalBytes, int? activityId = null, int parentActivityId = -1, TimeProvider? time = null, TimeSpan? minInterval = null, TimeSpan? rateWindow = null)
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
        TotalBytes = totalBytes;
        ParentActivityId = parentActivityId;
        _time = time ?? TimeProvider.System;
        _throttle = new ProgressThrottle(_time, minInterval);
        _rateWindow = rateWindow ?? TimeSpan.FromSeconds(5);
        _samples.Enqueue((_time.GetTimestamp(), 0));
    }

    public int ActivityId { get; }

    public int ParentActivityId { get; }

    public string Activity { get; }

    /// <summary>Bytes to transfer; 0 or less when unknown (then no percent or time remaining).</summary>
    public long TotalBytes { get; }

    public long CompletedBytes
    {
        get
        {
            lock (_gate)
            {
                return _completedBytes;
            }
        }
    }

    /// <summary>Bytes per second over the recent window; 0 until two samples lie apart.</summary>
    public double BytesPerSecond
    {
        get
        {
            lock (_gate)
            {
                return RateLocked();
            }
        }
    }

    /// <summary>A child activity (a file or a peer of this torrent) shown under this one.</summary>
    public TransferProgress CreateChild(string activity, long totalBytes)
        => new(activity, totalBytes, null, ActivityId, _time, _throttle.MinInterval, _rateWindow);

    /// <summary>
    /// Records that <paramref name="completedBytes"/> are done. Returns the update to write, or null when
    /// the throttle holds it back (or the activity has completed).
    /// </summary>
    public ProgressUpdate? Report(long completedBytes, string? currentOperation = null)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return null;
            }

            _completedBytes = Math.Max(0, completedBytes);
            AddSampleLocked();
            return _throttle.TryEnter() ? BuildLocked(currentOperation, completed: false) : null;
        }
    }

    /// <summary>The Completed update that ends the activity; never throttled. Null if already completed.</summary>
    public ProgressUpdate? Complete(string? statusDescription = null)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return null;
            }

            _completed = true;
            var update = BuildLocked(null, completed: true);
            return statusDescription is null ? update : update with { StatusDescription = statusDescription };
        }
    }

    private void AddSampleLocked()
    {
        var now = _time.GetTimestamp();
        var (lastTimestamp, _) = _samples.Last();
        if (_time.GetElapsedTime(lastTimestamp, now) >= SampleSpacing)
        {
            _samples.Enqueue((now, _completedBytes));
        }

        // Keep samples within the window, but always two or more to measure between.
        while (_samples.Count > 2 && _time.GetElapsedTime(_samples.Peek().Timestamp, now) > _rateWindow)
        {
            _samples.Dequeue();
        }
    }

    private double RateLocked()
    {
        var (firstTime, firstBytes) = _samples.Peek();
        var now = _time.GetTimestamp();
        var seconds = _time.GetElapsedTime(firstTime, now).TotalSeconds;
        if (seconds < SampleSpacing.TotalSeconds)
        {
            return 0;
        }

        return Math.Max(0, _completedBytes - firstBytes) / seconds;
    }

    private ProgressUpdate BuildLocked(string? currentOperation, bool completed)
    {
        var rate = RateLocked();
        var percent = -1;
        var secondsRemaining = -1;
        string status;
        if (TotalBytes > 0)
        {
            var done = Math.Min(_completedBytes, TotalBytes);
            percent = completed ? 100 : (int)Math.Clamp(done * 100 / TotalBytes, 0, 100);
            if (completed || done == TotalBytes)
            {
                secondsRemaining = 0;
            }
            else if (rate > 0)
            {
                secondsRemaining = (int)Math.Min(int.MaxValue, Math.Ceiling((TotalBytes - done) / rate));
            }

            status = string.Format(CultureInfo.InvariantCulture, "{0} of {1}", ByteSize.Format(done), ByteSize.Format(TotalBytes));
        }
        else
        {
            status = ByteSize.Format(_completedBytes);
        }

        if (rate > 0 && !completed)
        {
            status += " at " + ByteSize.FormatRate(rate);
        }

        return new ProgressUpdate(ActivityId, Activity, completed ? "Completed" : status)
        {
            ParentActivityId = ParentActivityId,
            PercentComplete = percent,
            SecondsRemaining = secondsRemaining,
            CurrentOperation = currentOperation,
            IsCompleted = completed,
        };
    }
}
