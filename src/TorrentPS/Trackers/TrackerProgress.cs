using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Trackers;

/// <summary>
/// The progress of asking one torrent's trackers (one activity per torrent): counts the trackers that finished
/// (answered or failed) out of those that will be asked, and the peers found; the status reads
/// <c>2 of 5 trackers answered, 1 failed, 37 peers</c>. With <see cref="TrackerAskMode.Discovery"/> a tier stops at
/// its first answer, so its other trackers leave the total. SecondsRemaining is the most the rest can take by the
/// request timeout (a tier's trackers one after another, at most <c>concurrency</c> tiers at once). Thread-safe.
/// </summary>
internal sealed class TrackerProgress
{
    private readonly object _gate = new();
    private readonly TransferProgress _progress;
    private readonly TrackerAskMode _mode;
    private readonly TimeProvider _time;
    private readonly TimeSpan _perAttempt;
    private readonly int _concurrency;
    private readonly Dictionary<string, int> _groupOf = new(StringComparer.Ordinal);
    private readonly int[] _size;
    private readonly int[] _tried;
    private readonly bool[] _answeredGroup;
    private readonly long[] _attemptStarted;
    private readonly bool[] _started;
    private int _answered;
    private int _failed;
    private int _peers;
    private string? _lastFinished;

    /// <param name="progress">The activity to report on; it counts trackers.</param>
    /// <param name="tiers">The torrent's tiers, as the engine gets them (blank and repeated URLs are dropped the way it drops them).</param>
    /// <param name="timeout">The longest one tracker request may take.</param>
    /// <param name="concurrency">How many tiers (discovery) or trackers (status) are asked at once.</param>
    public TrackerProgress(TransferProgress progress, IReadOnlyList<IReadOnlyList<string>> tiers, TrackerAskMode mode, TimeSpan timeout, int concurrency, TimeProvider? time = null)
    {
        _progress = progress;
        _mode = mode;
        _time = time ?? TimeProvider.System;
        _concurrency = Math.Max(1, concurrency);

        // Status asks each tracker on its own, a scrape then perhaps an announce; discovery asks a tier's trackers in turn.
        _perAttempt = mode == TrackerAskMode.Status ? timeout * 2 : timeout;
        var groups = new List<int>();
        foreach (var tier in tiers)
        {
            var size = 0;
            foreach (var url in tier)
            {
                if (string.IsNullOrWhiteSpace(url) || !_groupOf.TryAdd(url, groups.Count))
                {
                    continue;
                }

                if (mode == TrackerAskMode.Status)
                {
                    groups.Add(1);
                }
                else
                {
                    size++;
                }
            }

            if (mode == TrackerAskMode.Discovery && size > 0)
            {
                groups.Add(size);
            }
        }

        _size = groups.ToArray();
        _tried = new int[_size.Length];
        _answeredGroup = new bool[_size.Length];
        _attemptStarted = new long[_size.Length];
        _started = new bool[_size.Length];
        StartWaitingGroupsLocked();
    }

    /// <summary>The activity text: <c>Asking trackers of ubuntu.iso</c>, or of the info hash when the torrent has no name.</summary>
    public static string ActivityFor(string? name, InfoHash infoHash)
        => "Asking trackers of " + (string.IsNullOrWhiteSpace(name) ? infoHash.Hex : name);

    /// <summary>The unit the activity counts in.</summary>
    public static ProgressUnit Unit { get; } = ProgressUnit.Items("trackers");

    public int ActivityId => _progress.ActivityId;

    /// <summary>The trackers that will be asked, as far as known now.</summary>
    public int Expected
    {
        get
        {
            lock (_gate)
            {
                return ExpectedLocked();
            }
        }
    }

    public int Answered => Volatile.Read(ref _answered);

    public int Failed => Volatile.Read(ref _failed);

    public int Peers => Volatile.Read(ref _peers);

    /// <summary>The first update: nothing finished yet.</summary>
    public ProgressUpdate? Begin()
    {
        lock (_gate)
        {
            return ReportLocked();
        }
    }

    /// <summary>The tracker at <paramref name="url"/> answered.</summary>
    public ProgressUpdate? TrackerAnswered(string? url) => Finish(url, answered: true);

    /// <summary>The tracker at <paramref name="url"/> failed, timed out or is not supported.</summary>
    public ProgressUpdate? TrackerFailed(string? url) => Finish(url, answered: false);

    /// <summary>A new peer was found.</summary>
    public ProgressUpdate? PeerFound()
    {
        lock (_gate)
        {
            _peers++;
            return ReportLocked();
        }
    }

    /// <summary>The Completed update with the final counts.</summary>
    public ProgressUpdate? Complete()
    {
        lock (_gate)
        {
            return _progress.Complete(StatusLocked());
        }
    }

    private ProgressUpdate? Finish(string? url, bool answered)
    {
        lock (_gate)
        {
            if (answered)
            {
                _answered++;
            }
            else
            {
                _failed++;
            }

            if (url is not null && _groupOf.TryGetValue(url, out var group) && !_answeredGroup[group] && _tried[group] < _size[group])
            {
                _tried[group]++;
                _answeredGroup[group] = answered;
                _attemptStarted[group] = _time.GetTimestamp();
                StartWaitingGroupsLocked();
            }

            _lastFinished = url is null ? _lastFinished : url + (answered ? " answered" : " failed");
            return ReportLocked();
        }
    }

    /// <summary>Reports the counts; the current operation is the tracker that finished last (<c>udp://… failed</c>).</summary>
    /// <summary>Groups take a slot in order as slots free (the engine's gate): the first open ones not started yet start now.</summary>
    private void StartWaitingGroupsLocked()
    {
        var now = _time.GetTimestamp();
        var running = 0;
        for (var i = 0; i < _size.Length && running < _concurrency; i++)
        {
            if (_answeredGroup[i] || _tried[i] >= _size[i])
            {
                continue;
            }

            if (!_started[i])
            {
                _started[i] = true;
                _attemptStarted[i] = now;
            }

            running++;
        }
    }

    private ProgressUpdate? ReportLocked()
    {
        var finished = _answered + _failed;
        return _progress.Report(new ProgressSnapshot(finished, Math.Max(finished, ExpectedLocked()))
        {
            Status = StatusLocked(),
            ShowRate = false,
            SecondsRemaining = SecondsRemainingLocked(),
            CurrentOperation = _lastFinished,
        });
    }

    private int ExpectedLocked()
    {
        var expected = 0;
        for (var i = 0; i < _size.Length; i++)
        {
            expected += _answeredGroup[i] ? _tried[i] : _size[i];
        }

        // A tracker the tiers do not list (never expected) still counts once it finished.
        return Math.Max(expected, _answered + _failed);
    }

    private string StatusLocked()
    {
        var expected = ExpectedLocked();
        var status = string.Format(
            CultureInfo.InvariantCulture,
            "{0} of {1} {2} answered, {3} failed",
            _answered,
            expected,
            expected == 1 ? "tracker" : "trackers",
            _failed);
        return _mode == TrackerAskMode.Discovery
            ? status + string.Format(CultureInfo.InvariantCulture, ", {0} {1}", _peers, _peers == 1 ? "peer" : "peers")
            : status;
    }

    /// <summary>
    /// The most seconds the unfinished trackers can take: each group's current request runs out its timeout and the
    /// rest of the group follows, at most <see cref="_concurrency"/> groups at once (then, by list scheduling, no more
    /// than the work shared out over the slots plus the longest group).
    /// </summary>
    private int SecondsRemainingLocked()
    {
        var now = _time.GetTimestamp();
        double longest = 0;
        double sum = 0;
        var open = 0;
        for (var i = 0; i < _size.Length; i++)
        {
            if (_answeredGroup[i] || _tried[i] >= _size[i])
            {
                continue;
            }

            var current = _started[i]
                ? Math.Max(0, (_perAttempt - _time.GetElapsedTime(_attemptStarted[i], now)).TotalSeconds)
                : _perAttempt.TotalSeconds;
            var work = current + ((_size[i] - _tried[i] - 1) * _perAttempt.TotalSeconds);
            longest = Math.Max(longest, work);
            sum += work;
            open++;
        }

        var seconds = open <= _concurrency ? longest : (sum / _concurrency) + longest;
        return (int)Math.Min(int.MaxValue, Math.Ceiling(seconds));
    }
}
