using System.ComponentModel;
using System.Management.Automation;
using Microsoft.Extensions.Logging;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Transfers;

namespace TorrentPS.Jobs;

/// <summary>
/// A torrent as a PowerShell job (<c>-AsJob</c>, <see cref="PSJobTypeName"/> <c>TorrentJob</c>): it mirrors the session's
/// <see cref="Engine.Session.Torrent"/> — Running while a run goes on, Suspended while it is paused, and at the end
/// Completed, Stopped or Failed — with the torrent's progress in its Progress stream, the engine's log in Verbose,
/// Warning and Debug, and what the command would have written (the <see cref="DownloadResult"/>) in its Output.
/// <c>Stop-Job</c> stops the torrent, <c>Suspend-Job</c>/<c>Resume-Job</c> pause and resume it, <c>Remove-Job</c> forgets
/// the job (the torrent stays in the session: Remove-Torrent removes it). Its <see cref="StatusMessage"/> is the
/// engine's one-line status (<c>42% 31.5 MiB/s 12 peers</c>).
/// </summary>
public sealed class TorrentJob : Job2
{
    /// <summary>The job type shown by Get-Job.</summary>
    public const string TypeName = "TorrentJob";

    private readonly ProgressTracker _progress = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _changed = new(0);
    private Torrent? _torrent;
    private Transfer? _transfer;
    private PipelineLoggerProvider? _loggers;

    internal TorrentJob(string command, string name)
        : base(command, name)
    {
        PSJobTypeName = TypeName;
    }

    /// <summary>The torrent the job follows (also in Get-Torrent).</summary>
    public Torrent? Torrent => _torrent;

    /// <summary>The engine's status as one line: <c>42% 31.5 MiB/s 12 peers</c>.</summary>
    public override string StatusMessage => _torrent?.StatusLine ?? string.Empty;

    public override bool HasMoreData
        => Output.Count > 0 || Error.Count > 0 || Progress.Count > 0 || Verbose.Count > 0 || Warning.Count > 0 || Debug.Count > 0;

    /// <summary>Where the data is.</summary>
    public override string Location => _torrent is { Destination.Length: > 0 } torrent ? torrent.Destination : "TorrentPS";

    /// <summary>Loggers whose events land in the job's Verbose, Warning and Debug streams (the torrent's runs log there).</summary>
    internal ILoggerFactory Loggers => _loggers ??= new PipelineLoggerProvider(WriteLog);

    /// <summary>Starts following <paramref name="torrent"/>, started (or attached to) for <paramref name="transfer"/>.</summary>
    internal void Follow(Torrent torrent, Transfer transfer)
    {
        _torrent = torrent;
        _transfer = transfer;
        torrent.StateChanged += (_, _) => _changed.Release();
        SetJobState(JobState.Running);
        _ = FollowAsync();
    }

    /// <summary>The torrent runs from the moment the session started it: nothing to start.</summary>
    public override void StartJob()
    {
    }

    public override void StartJobAsync() => OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));

    // PowerShell's job API is synchronous here (Stop-Job, Suspend-Job and Resume-Job call these and return when they do).
    public override void StopJob() => StopCoreAsync().GetAwaiter().GetResult();

    public override void StopJob(bool force, string reason) => StopJob();

    public override void StopJobAsync() => _ = AfterAsync(StopCoreAsync(), e => OnStopJobCompleted(e));

    public override void StopJobAsync(bool force, string reason) => StopJobAsync();

    public override void SuspendJob() => SuspendCoreAsync().GetAwaiter().GetResult();

    public override void SuspendJob(bool force, string reason) => SuspendJob();

    public override void SuspendJobAsync() => _ = AfterAsync(SuspendCoreAsync(), e => OnSuspendJobCompleted(e));

    public override void SuspendJobAsync(bool force, string reason) => SuspendJobAsync();

    public override void ResumeJob() => ResumeCoreAsync().GetAwaiter().GetResult();

    public override void ResumeJobAsync() => _ = AfterAsync(ResumeCoreAsync(), e => OnResumeJobCompleted(e));

    /// <summary>A torrent job never blocks waiting for input.</summary>
    public override void UnblockJob()
    {
    }

    public override void UnblockJobAsync() => OnUnblockJobCompleted(new AsyncCompletedEventArgs(null, false, null));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _loggers?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool IsFinished(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    /// <summary>Adds to a job stream unless it was closed meanwhile (the job finished on another thread).</summary>
    private static void AddOpen<T>(PSDataCollection<T> stream, T item)
    {
        try
        {
            stream.Add(item);
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or ObjectDisposedException or InvalidOperationException)
        {
            // The job ended: late records have nowhere to go.
        }
    }

    private static async Task AfterAsync(Task work, Action<AsyncCompletedEventArgs> completed)
    {
        Exception? error = null;
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        completed(new AsyncCompletedEventArgs(error, false, null));
    }

    private async Task StopCoreAsync()
    {
        if (_torrent is null || IsFinished(JobStateInfo.State))
        {
            return;
        }

        SetJobState(JobState.Stopping);
        await _torrent.StopAsync().ConfigureAwait(false);
        _changed.Release();
        await _finished.Task.ConfigureAwait(false);
    }

    private async Task SuspendCoreAsync()
    {
        if (_torrent is null || JobStateInfo.State != JobState.Running)
        {
            return;
        }

        SetJobState(JobState.Suspending);
        await _torrent.SuspendAsync().ConfigureAwait(false);
        await WaitForJobStateAsync(JobState.Suspended).ConfigureAwait(false);
    }

    private async Task ResumeCoreAsync()
    {
        if (_torrent is null || JobStateInfo.State != JobState.Suspended)
        {
            return;
        }

        _torrent.Resume();
        await WaitForJobStateAsync(JobState.Running).ConfigureAwait(false);
    }

    private async Task WaitForJobStateAsync(JobState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnState(object? sender, JobStateEventArgs e)
        {
            if (e.JobStateInfo.State == state || IsFinished(e.JobStateInfo.State))
            {
                reached.TrySetResult();
            }
        }

        StateChanged += OnState;
        try
        {
            if (JobStateInfo.State == state || IsFinished(JobStateInfo.State))
            {
                return;
            }

            await reached.Task.ConfigureAwait(false);
        }
        finally
        {
            StateChanged -= OnState;
        }
    }

    /// <summary>Follows the torrent's runs until one ends otherwise than paused: progress in, the result out, the job's state.</summary>
    private async Task FollowAsync()
    {
        var torrent = _torrent!;
        var transfer = _transfer!;
        try
        {
            while (true)
            {
                var progress = new TorrentProgress(transfer.Activity, torrent.Name, (activity, total, parent) => _progress.Start(activity, total, parent), WriteProgress);
                await foreach (var status in torrent.WatchStatusAsync().ConfigureAwait(false))
                {
                    progress.Report(status);
                }

                DownloadResult result;
                try
                {
                    result = await torrent.WaitAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    progress.Fail(ex);
                    AddOpen(Error, TransferErrors.Create(ex, transfer.Target));
                    Finish(JobState.Failed, ex);
                    return;
                }

                if (torrent.State != TorrentState.Paused)
                {
                    End(progress, transfer, result);
                    return;
                }

                progress.End($"Paused: {torrent.StatusLine}");
                SetJobState(JobState.Suspended);
                while (!torrent.IsRunning && torrent.State == TorrentState.Paused)
                {
                    await _changed.WaitAsync().ConfigureAwait(false);
                }

                if (!torrent.IsRunning)
                {
                    // Stopped (or removed) while paused: the job ends with the last run's result, as the torrent is now.
                    End(null, transfer, torrent.LastResult is { } last ? last with { State = torrent.State } : result with { State = torrent.State });
                    return;
                }

                SetJobState(JobState.Running);
            }
        }
        catch (Exception ex)
        {
            Finish(JobState.Failed, ex);
        }
    }

    private void End(TorrentProgress? progress, Transfer transfer, DownloadResult result)
    {
        progress?.Complete(result, transfer.Summary(result));
        if (transfer.Output(result, _torrent!) is { } value)
        {
            AddOpen(Output, PSObject.AsPSObject(value));
        }

        Finish(result.State == TorrentState.Completed ? JobState.Completed : result.State == TorrentState.Failed ? JobState.Failed : JobState.Stopped, null);
    }

    private void Finish(JobState state, Exception? reason)
    {
        foreach (var update in _progress.CompleteAll())
        {
            AddOpen(Progress, ProgressRecords.From(update));
        }

        SetJobState(state);
        _finished.TrySetResult();
    }

    private void WriteProgress(ProgressUpdate? update)
    {
        if (update is not null && !IsFinished(JobStateInfo.State))
        {
            AddOpen(Progress, ProgressRecords.From(update));
        }
    }

    private void WriteLog(PipelineStream stream, string message)
    {
        if (IsFinished(JobStateInfo.State))
        {
            return;
        }

        switch (stream)
        {
            case PipelineStream.Debug:
                AddOpen(Debug, new DebugRecord(message));
                break;
            case PipelineStream.Verbose:
                AddOpen(Verbose, new VerboseRecord(message));
                break;
            case PipelineStream.Warning:
                AddOpen(Warning, new WarningRecord(message));
                break;
        }
    }
}
