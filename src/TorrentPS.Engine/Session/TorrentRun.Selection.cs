using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Choosing files while the torrent runs: the picker's plan (which pieces, in which order of preference) made from the
/// data's selection, and changes to it. A change is asked through the loop (<see cref="ChangeSelectionAsync(Func{FileSelection, FileSelection})"/>),
/// applied to the data off the loop (newly chosen files take their bytes from the part file: blocking I/O), and the
/// result posted back, where the picker, the ledger and the peers' interest follow it; pieces in progress that are no
/// longer wanted are dropped (requests cancelled, buffers returned). One change runs at a time; changes asked meanwhile
/// are folded into the next.
/// </summary>
internal sealed partial class TorrentRun
{
    private readonly List<int> _droppedPieces = new();
    private readonly List<(Func<FileSelection, FileSelection> Change, TaskCompletionSource<FileSelection> Done)> _selectionQueue = new();
    private readonly List<TaskCompletionSource<FileSelection>> _selectionWaiters = new();
    private FileSelection? _selectionTarget;
    private Task? _selectionRunning;

    /// <summary>The files chosen and their priorities; null before the data is known (a magnet's metadata, the check) or when there are no files to choose from.</summary>
    public FileSelection? Selection => _picker is null ? null : _data?.Selection;

    /// <summary>
    /// Chooses other files or priorities while the torrent runs: <paramref name="change"/> gets the latest selection
    /// (including changes asked before this one) and returns the new one. Ends with the selection in force once the
    /// data and the picker follow it; asked before the check ended, it applies when it ends.
    /// </summary>
    /// <exception cref="TorrentPSException">
    /// SelectionNotSupported: the torrent serves existing data, or fetches chosen pieces, or its data has no files to
    /// choose from. TorrentNotRunning: the torrent ended before the change applied.
    /// </exception>
    public Task<FileSelection> ChangeSelectionAsync(Func<FileSelection, FileSelection> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var done = new TaskCompletionSource<FileSelection>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new SwarmEvent.ChangeSelection(change, done)))
        {
            done.TrySetException(NotRunning());
        }

        return done.Task;
    }

    /// <summary>Chooses <paramref name="selection"/> (one priority per file of the torrent) while the torrent runs.</summary>
    public Task<FileSelection> ChangeSelectionAsync(FileSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return ChangeSelectionAsync(_ => selection);
    }

    /// <summary>Sets the priority of the files at <paramref name="fileIndexes"/> (indexes into <see cref="TorrentInfo.Files"/>) while the torrent runs; Skip stops fetching them.</summary>
    public Task<FileSelection> SetFilePriorityAsync(IReadOnlyList<int> fileIndexes, FilePriority priority)
    {
        ArgumentNullException.ThrowIfNull(fileIndexes);
        var indexes = fileIndexes.ToArray();
        return ChangeSelectionAsync(current => current.WithPriority(indexes, priority));
    }

    /// <summary>Sequential: the window the picker uses now (0 when not sequential). For tests; read from any thread.</summary>
    internal int SequentialWindow => _picker is { IsSequential: true } picker ? picker.SequentialWindow : 0;

    /// <summary>The picker's plan from the data's pieces and selection (the options' pieces win over the files').</summary>
    private PiecePlan PlanFor(TorrentInfo info, Bitfield? wanted)
        => PiecePlan.For(
            info,
            wanted ?? _data?.WantedPieces,
            _options.WantedPieces is null ? _data?.PiecePriorities : null,
            _data?.Selection,
            _options.FirstAndLastPiecesFirst);

    /// <summary>Sequential: the window follows the peers' depths (after each batch; a sum over the connected peers, so only when sequential).</summary>
    private void SizeSequentialWindow()
    {
        if (_picker is { IsSequential: true } picker && Info is { } info)
        {
            picker.SequentialWindow = PiecePicker.SequentialWindowFor(_requests.RequestSlots(), info.PieceLength, _options.MaxBufferedBytes);
        }
    }

    private void OnChangeSelection(Func<FileSelection, FileSelection> change, TaskCompletionSource<FileSelection> done)
    {
        if (_state is TorrentState.Stopping)
        {
            done.TrySetException(NotRunning());
            return;
        }

        if (_picker is null || _data is null)
        {
            // Before the check ended (or the metadata arrived): applied when it ends.
            _selectionQueue.Add((change, done));
            return;
        }

        if (_options.WantedPieces is not null || !_options.DownloadMissing || _data.Selection is not { } current)
        {
            done.TrySetException(new TorrentPSException(
                "SelectionNotSupported",
                TorrentErrorKind.InvalidArgument,
                _options.DownloadMissing
                    ? $"'{Name}' fetches chosen pieces, not files: there are no files to choose."
                    : $"'{Name}' serves the data it has and downloads nothing: there are no files to choose."));
            return;
        }

        FileSelection next;
        try
        {
            next = change(_selectionTarget ?? current);
            if (next.FileCount != current.FileCount)
            {
                throw new ArgumentException($"The selection is for {next.FileCount} files, '{Name}' has {current.FileCount}.", nameof(change));
            }
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
            return;
        }

        _selectionTarget = next;
        _selectionWaiters.Add(done);
        if (_selectionRunning is null)
        {
            StartSelectionChange();
        }
    }

    /// <summary>Applies the latest selection asked for to the data, off the loop; the result comes back as <see cref="SwarmEvent.SelectionChanged"/>.</summary>
    private void StartSelectionChange()
    {
        var data = _data!;
        var target = _selectionTarget!;
        var waiters = _selectionWaiters.ToArray();
        _selectionWaiters.Clear();
        _selectionRunning = Task.Run(() =>
        {
            Exception? error = null;
            try
            {
                data.ChangeSelection(target);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (!Post(new SwarmEvent.SelectionChanged(target, error, waiters)))
            {
                // The loop ended meanwhile: the data took it (the final checkpoint records it) or not; say so.
                Complete(waiters, target, error);
            }
        });
    }

    private void OnSelectionChanged(FileSelection selection, Exception? error, IReadOnlyList<TaskCompletionSource<FileSelection>> waiters)
    {
        _selectionRunning = null;
        if (error is not null)
        {
            _logger.LogWarning("{Torrent}: choosing files failed: {Reason}", Name, error.Message);
            _selectionTarget = _selectionWaiters.Count > 0 ? _selectionTarget : null;
        }
        else
        {
            Replan();
        }

        Complete(waiters, selection, error);
        if (_selectionWaiters.Count > 0)
        {
            if (_state is TorrentState.Stopping)
            {
                Complete(_selectionWaiters.ToArray(), selection, NotRunning());
                _selectionWaiters.Clear();
            }
            else
            {
                StartSelectionChange();
            }
        }
        else
        {
            _selectionTarget = null;
        }
    }

    /// <summary>
    /// The picker follows the data's selection now: pieces in progress no longer wanted are dropped, the wanted bytes
    /// counted again, peers told whether we are interested, and the torrent completes (or downloads again) as the new
    /// selection says.
    /// </summary>
    private void Replan()
    {
        if (_picker is null || Info is null || _pieces.Current is not { } context)
        {
            return;
        }

        _droppedPieces.Clear();
        _picker.Replan(PlanFor(Info, null), _droppedPieces);
        foreach (var index in _droppedPieces)
        {
            _requests.DropPiece(index);
            context.Assembler.Abandon(index);
        }

        _ledger.OnReplanned();
        _wake.Clear();
        _availability.Recount(_wake);
        foreach (var peer in _wake)
        {
            _requests.Wake(peer);
        }

        SizeSequentialWindow();
        _logger.LogInformation("{Torrent}: {Selection}; {Missing} pieces to fetch ({Dropped} in progress dropped)", Name, _data?.Selection, _picker.MissingCount, _droppedPieces.Count);
        if (_picker.IsComplete && _state == TorrentState.Downloading)
        {
            OnDownloadComplete(alreadyComplete: false);
        }
        else if (!_picker.IsComplete && _state == TorrentState.Seeding)
        {
            // Files chosen after the download completed: fetch them (seeding goes on meanwhile).
            SetState(TorrentState.Downloading);
            DialMore();
        }

        PublishStatus(_state);
    }

    /// <summary>After the check: changes asked while it ran apply now.</summary>
    private void ApplyQueuedSelectionChanges()
    {
        foreach (var (change, done) in _selectionQueue)
        {
            OnChangeSelection(change, done);
        }

        _selectionQueue.Clear();
    }

    /// <summary>The loop ended: changes that never applied fail; one still running is waited for (the data must not be disposed under it).</summary>
    private async Task EndSelectionChangesAsync()
    {
        foreach (var (_, done) in _selectionQueue)
        {
            done.TrySetException(NotRunning());
        }

        _selectionQueue.Clear();
        foreach (var done in _selectionWaiters)
        {
            done.TrySetException(NotRunning());
        }

        _selectionWaiters.Clear();
        if (_selectionRunning is { } running)
        {
            await running.ConfigureAwait(false);
        }
    }

    private static void Complete(IReadOnlyList<TaskCompletionSource<FileSelection>> waiters, FileSelection selection, Exception? error)
    {
        foreach (var done in waiters)
        {
            if (error is null)
            {
                done.TrySetResult(selection);
            }
            else
            {
                done.TrySetException(error);
            }
        }
    }

    private TorrentPSException NotRunning()
        => new("TorrentNotRunning", TorrentErrorKind.OperationStopped, $"'{Name}' stopped before the file selection could change.");
}
