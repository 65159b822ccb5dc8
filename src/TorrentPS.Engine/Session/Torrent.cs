using System.Runtime.CompilerServices;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A torrent the session holds: what <c>Get-Torrent</c> lists, from any runspace or thread job of the process. It
/// outlives the runs of its loop: it keeps its request, its latest status, the run it has now (none while paused,
/// stopped, completed or failed) and the totals of the runs before. Each property read is the latest snapshot (the loop
/// publishes a few a second; a watcher on the thread pool takes them in), and its events are raised there too, never on
/// the loop's thread: <c>Register-ObjectEvent $t Completed -Action {...}</c> works. Thread-safe.
/// </summary>
public sealed class Torrent
{
    private readonly object _lock = new();
    private readonly TorrentSession _session;
    private TransferRequest _request;
    private TorrentInfo? _info;
    private TorrentRun? _run;
    private TorrentStatus _status;
    private TorrentState _state;
    private TorrentState? _endAs;
    private DownloadResult? _lastResult;
    private string? _error;
    private long _downloadedBefore;
    private long _uploadedBefore;
    private TaskCompletionSource<DownloadResult> _runEnded = NewRunEnded();

    internal Torrent(TorrentSession session, TransferRequest request, TorrentState state, DateTimeOffset addedAt, TorrentStatus? status = null)
    {
        _session = session;
        _request = request;
        _info = request.Torrent;
        _state = state;
        AddedAt = addedAt;
        Hash = request.InfoHash;
        _status = status ?? new TorrentStatus { Name = request.Name, Hash = Hash, State = state, Length = _info?.Length ?? 0, PieceCount = _info?.PieceCount ?? 0 };
        if (state is not (TorrentState.Checking or TorrentState.FetchingMetadata))
        {
            _runEnded.TrySetResult(ResultFromStatus(_status, state));
        }
    }

    /// <summary>The state changed (checking, downloading, seeding, paused, stopped, completed, failed …).</summary>
    public event EventHandler<TorrentEventArgs>? StateChanged;

    /// <summary>
    /// Every wanted piece is here: raised once per run, when the download completes (before seeding toward a goal), or
    /// when a run ends Completed without having raised it (the data was already complete).
    /// </summary>
    public event EventHandler<TorrentEventArgs>? Completed;

    /// <summary>A magnet link's metadata arrived (<see cref="TorrentEventArgs.Info"/>): the name, the length and the files are known.</summary>
    public event EventHandler<TorrentEventArgs>? MetadataReceived;

    /// <summary>A run ended with an error (no progress within the timeout, the disk failed, incomplete data to seed).</summary>
    public event EventHandler<TorrentEventArgs>? Failed;

    /// <summary>The info hash as 40 lowercase hex digits: what <c>-InfoHash</c> takes, and text in <c>ConvertTo-Json</c>.</summary>
    public string InfoHash => Hash.Hex;

    /// <summary>The info hash, typed.</summary>
    internal InfoHash Hash { get; }

    /// <summary>The torrent's name (a magnet link's display name until its metadata arrives).</summary>
    public string Name
    {
        get
        {
            lock (_lock)
            {
                return _info?.Name ?? _request.Name;
            }
        }
    }

    /// <summary>Where it is in its life; <see cref="TorrentState.Paused"/> after <c>Suspend-Torrent</c>.</summary>
    public TorrentState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Percent of the wanted bytes verified, 0 to 100.</summary>
    public double Progress => Status.PercentComplete;

    /// <summary>Block bytes received, over every run.</summary>
    public long Downloaded
    {
        get
        {
            lock (_lock)
            {
                return _downloadedBefore + (_run is null ? 0 : _status.Downloaded);
            }
        }
    }

    /// <summary>Block bytes sent, over every run.</summary>
    public long Uploaded
    {
        get
        {
            lock (_lock)
            {
                return _uploadedBefore + (_run is null ? 0 : _status.Uploaded);
            }
        }
    }

    /// <summary>The content's length in bytes; 0 while a magnet link's metadata is unknown.</summary>
    public long Length => Info?.Length ?? Status.Length;

    public double DownloadRate => Status.DownloadRate;

    public double UploadRate => Status.UploadRate;

    /// <summary>Peers connected now.</summary>
    public int Peers => Status.PeersConnected;

    /// <summary>Connected peers that have everything.</summary>
    public int Seeds => Status.Seeds;

    /// <summary><see cref="Uploaded"/> ÷ <see cref="Length"/>.</summary>
    public double Ratio => Length > 0 ? (double)Uploaded / Length : 0;

    /// <summary>The engine's estimate of the time to finish the download, or the seed goal; null when unknown or nothing is running.</summary>
    public double? TimeRemaining => Status.TimeRemaining;

    /// <summary>The same, as a span.</summary>
    internal TimeSpan? TimeRemainingSpan => Status.TimeRemainingSpan;

    /// <summary>The file or top folder the content is in (the destination until the metadata is known); empty for a piece or metadata fetch.</summary>
    public string Destination
    {
        get
        {
            lock (_lock)
            {
                return _request.ContentPathFor(_info) ?? _request.Destination;
            }
        }
    }

    /// <summary>Why the last run failed, or what went wrong most recently while running (a tracker, a peer); null when nothing did.</summary>
    public string? Error
    {
        get
        {
            lock (_lock)
            {
                return _error ?? (_run is null ? null : _status.LastError);
            }
        }
    }

    /// <summary>The metainfo; null while a magnet link's metadata is unknown.</summary>
    /// <summary>The torrent's metainfo, once known (a method for scripts: as a property it would nest the whole torrent in <c>ConvertTo-Json</c>).</summary>
    public TorrentInfo? GetInfo() => Info;

    internal TorrentInfo? Info
    {
        get
        {
            lock (_lock)
            {
                return _info;
            }
        }
    }

    /// <summary>What was asked: the data's place, peers, goals, limits (a later start of the same torrent may replace it).</summary>
    internal TransferRequest Request
    {
        get
        {
            lock (_lock)
            {
                return _request;
            }
        }
    }

    /// <summary>The latest status snapshot (of the running loop; of the last run, with no rates and no peers, otherwise).</summary>
    public TorrentStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    /// <summary>How the last run ended; null before any ended.</summary>
    public DownloadResult? LastResult
    {
        get
        {
            lock (_lock)
            {
                return _lastResult;
            }
        }
    }

    /// <summary>A run is going on (checking, fetching metadata, downloading, seeding or stopping).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _run is not null;
            }
        }
    }

    /// <summary>When the session first took the torrent.</summary>
    public DateTimeOffset AddedAt { get; }

    /// <summary>The progress and rates as one line: <c>42% 31.5 MiB/s 12 peers</c> (<c>Paused 42%</c> when nothing runs).</summary>
    public string StatusLine => StatusSummary.Of(Status);

    /// <summary>The run going on now, if any (tests, and the session).</summary>
    internal TorrentRun? Run
    {
        get
        {
            lock (_lock)
            {
                return _run;
            }
        }
    }

    /// <summary>
    /// Waits for the current run to end and returns how it ended (at once when none is running: the last result). The
    /// torrent goes on when <paramref name="cancellationToken"/> is cancelled: only the waiting stops.
    /// </summary>
    /// <exception cref="Errors.TorrentPSException">The run failed: its typed error.</exception>
    public Task<DownloadResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        Task<DownloadResult> ended;
        lock (_lock)
        {
            ended = _runEnded.Task;
        }

        return ended.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for the current run like <see cref="WaitAsync"/>, but stops the torrent when <paramref name="cancellationToken"/>
    /// is cancelled (Ctrl+C on a foreground command): progress is saved and the result says Stopped.
    /// </summary>
    public async Task<DownloadResult> RunAsync(CancellationToken cancellationToken)
    {
        Task<DownloadResult> ended;
        lock (_lock)
        {
            ended = _runEnded.Task;
        }

        using (cancellationToken.Register(static t => _ = ((Torrent)t!).StopAsync(), this))
        {
            return await ended.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The latest status at once, then each newer snapshot of the current run until it ends (a slow reader skips
    /// snapshots). When nothing runs, only the latest one.
    /// </summary>
    public async IAsyncEnumerable<TorrentStatus> WatchStatusAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TorrentRun? run;
        TorrentStatus latest;
        lock (_lock)
        {
            run = _run;
            latest = _status;
        }

        if (run is null)
        {
            yield return latest;
            yield break;
        }

        await foreach (var status in run.WatchStatusAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return status;
        }
    }

    /// <summary>
    /// Pauses: the run stops (connections closed, progress saved, trackers told <c>stopped</c>) and the torrent stays
    /// <see cref="TorrentState.Paused"/> until resumed. Nothing when it is not running. Returns when the run has ended.
    /// </summary>
    public Task SuspendAsync() => EndRunAsync(TorrentState.Paused, "paused");

    /// <summary>
    /// Stops: the run ends (progress saved, trackers told <c>stopped</c>), the torrent stays listed as
    /// <see cref="TorrentState.Stopped"/> (or Completed when every wanted piece is here). A paused torrent becomes Stopped.
    /// </summary>
    public async Task StopAsync()
    {
        if (!await EndRunAsync(null, "stopped by the user").ConfigureAwait(false))
        {
            SetIdleState(TorrentState.Paused, TorrentState.Stopped);
        }
    }

    /// <summary>
    /// Starts a new run when none is going on (paused, stopped, failed, or completed: a completed download then seeds
    /// toward its goal, or checks and ends again). It trusts the resume data and checks only what it cannot trust.
    /// </summary>
    public void Resume() => _session.Resume(this);

    /// <summary>
    /// The files chosen and their priorities: the running download's, else what its next run takes (null: the resume
    /// data's choice, or every file, or not known yet).
    /// </summary>
    public FileSelection? Selection
    {
        get
        {
            TorrentRun? run;
            TransferRequest request;
            TorrentInfo? info;
            lock (_lock)
            {
                (run, request, info) = (_run, _request, _info);
            }

            return run?.Selection ?? (info is null ? request.Files : request.SelectionFor(info));
        }
    }

    /// <summary>
    /// Chooses other files or priorities: <paramref name="change"/> gets the selection in force and returns the new one.
    /// A running download re-plans at once (newly chosen files take their bytes from the part file, pieces no longer
    /// wanted stop); a torrent not running takes it at its next run. Either way the session keeps it.
    /// </summary>
    /// <exception cref="Errors.TorrentPSException">
    /// TorrentMetadataNotKnown: a magnet link's files are not known yet. SelectionNotSupported: the torrent seeds
    /// existing data or fetches chosen pieces. FileNotInTorrent, NoFileSelected: from <paramref name="change"/>.
    /// </exception>
    public async Task<FileSelection> ChangeSelectionAsync(Func<FileSelection, FileSelection> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        TorrentRun? run;
        lock (_lock)
        {
            run = _run;
        }

        FileSelection selection;
        if (run is not null && run.Info is not null)
        {
            try
            {
                selection = await run.ChangeSelectionAsync(change).ConfigureAwait(false);
            }
            catch (Errors.TorrentPSException ex) when (ex.ErrorId == "TorrentNotRunning")
            {
                // The run ended meanwhile: the next run takes the change.
                selection = ChangeIdleSelection(change);
            }
        }
        else
        {
            selection = ChangeIdleSelection(change);
        }

        lock (_lock)
        {
            _request = _request with { Files = selection };
        }

        _session.SaveSoon();
        return selection;
    }

    /// <summary>Sets the priority of the files at <paramref name="fileIndexes"/> (indexes into <see cref="TorrentInfo.Files"/>); Skip stops fetching them.</summary>
    public Task<FileSelection> SetFilePriorityAsync(IReadOnlyList<int> fileIndexes, FilePriority priority)
    {
        ArgumentNullException.ThrowIfNull(fileIndexes);
        var indexes = fileIndexes.ToArray();
        return ChangeSelectionAsync(current => current.WithPriority(indexes, priority));
    }

    public override string ToString() => $"{Name} ({State})";

    /// <summary>A change to the selection the next run takes.</summary>
    private FileSelection ChangeIdleSelection(Func<FileSelection, FileSelection> change)
    {
        TransferRequest request;
        TorrentInfo? info;
        lock (_lock)
        {
            (request, info) = (_request, _info);
        }

        if (info is null)
        {
            throw new Errors.TorrentPSException("TorrentMetadataNotKnown", Errors.TorrentErrorKind.ResourceUnavailable, $"'{Name}' has not received its metadata from peers: its files are not known yet. Try again once it is downloading.");
        }

        if (request.Mode != TransferMode.Download)
        {
            throw new Errors.TorrentPSException("SelectionNotSupported", Errors.TorrentErrorKind.InvalidArgument, $"'{Name}' is not a download: its files are not chosen.");
        }

        return change(request.SelectionFor(info) ?? FileSelection.All(info.Files.Count));
    }

    /// <summary>Takes a new run (the session, under its lock).</summary>
    internal void BeginRun(TorrentRun run, TransferRequest request)
    {
        TorrentState previous;
        lock (_lock)
        {
            previous = _state;
            _request = request;
            _info = run.Info ?? _info ?? request.Torrent;
            _run = run;
            _endAs = null;
            _error = null;
            _status = run.Status;
            _state = _status.State;
            if (_runEnded.Task.IsCompleted)
            {
                _runEnded = NewRunEnded();
            }
        }

        RaiseStateChanged(previous, run.Status.State);
        _ = WatchAsync(run);
    }

    /// <summary>What the session saves: the request (with the metadata once known), the state and the totals.</summary>
    internal SavedTorrent ToSaved()
    {
        lock (_lock)
        {
            var request = _info is not null && _request.Torrent is null ? _request with { Torrent = _info } : _request;
            var state = _run is not null ? TorrentState.Stopped : _state;
            return new SavedTorrent(
                request,
                state == TorrentState.Paused ? TorrentState.Stopped : state,
                AddedAt,
                _downloadedBefore + (_run is null ? 0 : _status.Downloaded),
                _uploadedBefore + (_run is null ? 0 : _status.Uploaded),
                _status.VerifiedBytes,
                _status.TotalBytes,
                _error);
        }
    }

    /// <summary>A torrent read back from the state folder: its totals so far.</summary>
    internal void RestoreTotals(long downloaded, long uploaded, string? error)
    {
        lock (_lock)
        {
            _downloadedBefore = downloaded;
            _uploadedBefore = uploaded;
            _error = error;
        }
    }

    private static TaskCompletionSource<DownloadResult> NewRunEnded() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static DownloadResult ResultFromStatus(TorrentStatus status, TorrentState state) => new()
    {
        Name = status.Name,
        Hash = status.Hash,
        Destination = string.Empty,
        Length = status.Length,
        State = state,
        VerifiedPieces = status.VerifiedPieces,
        PieceCount = status.PieceCount,
    };

    /// <summary>Ends the run with the torrent in <paramref name="endAs"/> (null: as the run ends); false when none was running.</summary>
    private async Task<bool> EndRunAsync(TorrentState? endAs, string reason)
    {
        TorrentRun? run;
        Task<DownloadResult> ended;
        lock (_lock)
        {
            run = _run;
            ended = _runEnded.Task;
            if (run is not null && endAs is not null)
            {
                _endAs = endAs;
            }
        }

        if (run is null)
        {
            return false;
        }

        run.Stop(reason);
        try
        {
            await ended.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The failure reaches whoever waits on the run, and the Failed event.
        }

        return true;
    }

    private void SetIdleState(TorrentState from, TorrentState to)
    {
        lock (_lock)
        {
            if (_run is not null || _state != from)
            {
                return;
            }

            _state = to;
            _status = _status with { State = to };
        }

        RaiseStateChanged(from, to);
        _session.SaveSoon();
    }

    /// <summary>Takes the run's snapshots in (off the loop's thread) and raises the events, until the run ends.</summary>
    private async Task WatchAsync(TorrentRun run)
    {
        var completedRaised = false;
        try
        {
            await foreach (var status in run.WatchStatusAsync().ConfigureAwait(false))
            {
                TorrentState previous;
                TorrentInfo? metadata = null;
                lock (_lock)
                {
                    if (!ReferenceEquals(_run, run))
                    {
                        break;
                    }

                    previous = _state;
                    _status = status;
                    if (status.State is not (TorrentState.Completed or TorrentState.Stopped or TorrentState.Failed))
                    {
                        _state = status.State;
                    }

                    if (_info is null && status.Length > 0 && run.Info is { } info)
                    {
                        _info = info;
                        metadata = info;
                    }
                }

                if (metadata is not null)
                {
                    Raise(MetadataReceived, previous, previous, info: metadata);
                    _session.SaveSoon();
                }

                if (previous != status.State && status.State is not (TorrentState.Completed or TorrentState.Stopped or TorrentState.Failed))
                {
                    RaiseStateChanged(previous, status.State);
                    if (status.State == TorrentState.Seeding && previous == TorrentState.Downloading && !completedRaised)
                    {
                        completedRaised = true;
                        Raise(Completed, previous, status.State);
                    }
                }
            }
        }
        catch (Exception)
        {
            // A watcher never fails the torrent; the end below is what counts.
        }

        await EndAsync(run, completedRaised).ConfigureAwait(false);
    }

    private async Task EndAsync(TorrentRun run, bool completedRaised)
    {
        DownloadResult? result = null;
        Exception? failure = null;
        try
        {
            result = await run.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        var final = run.Status;
        TorrentState previous;
        TorrentState state;
        TaskCompletionSource<DownloadResult> ended;
        lock (_lock)
        {
            previous = _state;
            state = failure is not null ? TorrentState.Failed : _endAs is { } endAs && result!.State != TorrentState.Completed ? endAs : result!.State;
            if (result is not null && result.State != state)
            {
                result = result with { State = state };
            }

            _downloadedBefore += final.Downloaded;
            _uploadedBefore += final.Uploaded;
            _info ??= run.Info;
            _run = null;
            _endAs = null;
            _state = state;
            _status = final with { State = state, DownloadRate = 0, UploadRate = 0, PeersConnected = 0, Seeds = 0, MetadataPeers = 0, TimeRemainingSpan = null };
            _error = failure?.Message;
            _lastResult = result;
            ended = _runEnded;
        }

        _session.RunEnded(this, run);
        RaiseStateChanged(previous, state);
        if (failure is not null)
        {
            Raise(Failed, previous, state, error: failure);
            ended.TrySetException(failure);
            return;
        }

        if (state == TorrentState.Completed && !completedRaised)
        {
            Raise(Completed, previous, state, result: result);
        }

        ended.TrySetResult(result!);
    }

    private void RaiseStateChanged(TorrentState previous, TorrentState state)
    {
        if (previous != state)
        {
            Raise(StateChanged, previous, state);
        }
    }

    private void Raise(EventHandler<TorrentEventArgs>? handler, TorrentState previous, TorrentState state, DownloadResult? result = null, Exception? error = null, TorrentInfo? info = null)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new TorrentEventArgs(this, previous, state) { Result = result, Error = error, Info = info });
        }
        catch (Exception)
        {
            // A subscriber's failure is its own; the torrent and the other subscribers go on.
        }
    }
}
