namespace TorrentPS.Bridge.Progress;

/// <summary>
/// The progress activities one cmdlet call has started, so that every one of them ends with a Completed
/// record even when the operation fails or is stopped: <see cref="CompleteAll"/> closes those still open,
/// children before their parents. Thread-safe.
/// </summary>
public sealed class ProgressTracker
{
    private readonly object _gate = new();
    private readonly List<TransferProgress> _open = [];
    private readonly TimeProvider? _time;
    private readonly TimeSpan? _minInterval;

    public ProgressTracker(TimeProvider? time = null, TimeSpan? minInterval = null)
    {
        _time = time;
        _minInterval = minInterval;
    }

    /// <summary>Starts an activity: a top-level one (a torrent) or, with <paramref name="parent"/>, a child of it.</summary>
    /// <remarks><paramref name="unit"/> says what is counted: bytes unless told; a child counts in its parent's unit unless told.</remarks>
    public TransferProgress Start(string activity, long total, TransferProgress? parent = null, ProgressUnit? unit = null)
    {
        var progress = parent is null
            ? new TransferProgress(activity, total, time: _time, minInterval: _minInterval, unit: unit)
            : parent.CreateChild(activity, total, unit);
        lock (_gate)
        {
            _open.Add(progress);
        }

        return progress;
    }

    /// <summary>Completed updates for every activity not completed yet, the latest started (children) first.</summary>
    public IReadOnlyList<ProgressUpdate> CompleteAll()
    {
        TransferProgress[] open;
        lock (_gate)
        {
            open = _open.ToArray();
            _open.Clear();
        }

        var updates = new List<ProgressUpdate>(open.Length);
        for (var i = open.Length - 1; i >= 0; i--)
        {
            if (open[i].Complete() is { } update)
            {
                updates.Add(update);
            }
        }

        return updates;
    }
}
