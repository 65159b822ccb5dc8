using System.Management.Automation;
using Microsoft.Extensions.Logging;
using TorrentPS.Bridge.Progress;

namespace TorrentPS.Bridge;

/// <summary>
/// Base of every cmdlet that waits on the engine. Override the <c>*Async</c> methods; they run on the
/// thread pool while the pipeline thread writes what they emit. <see cref="StopProcessing"/> (Ctrl+C)
/// cancels the token they receive. Writes from the work are queued; writes on the pipeline thread go
/// straight through.
/// </summary>
public abstract class AsyncCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly PipelineQueue _queue = new();
    private readonly ProgressTracker _progress = new();
    private bool _disposed;
    private PipelineLoggerProvider? _loggerFactory;

    /// <summary>Cancelled when the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>Hands engine components loggers whose events reach the Debug, Verbose and Warning streams.</summary>
    protected ILoggerFactory LoggerFactory => _loggerFactory ??= new PipelineLoggerProvider(WriteLog);

    protected virtual Task BeginProcessingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected virtual Task ProcessRecordAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected virtual Task EndProcessingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void BeginProcessing() => RunWork(BeginProcessingAsync);

    protected override void ProcessRecord() => RunWork(ProcessRecordAsync);

    protected override void EndProcessing() => RunWork(EndProcessingAsync);

    /// <summary>Ctrl+C: cancels the running operation's token; <see cref="PipelineQueue"/> returns promptly.</summary>
    protected override void StopProcessing()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // StopProcessing raced with the end of the pipeline: nothing is left to stop.
        }
    }

    /// <summary>Queues an output object for the pipeline thread.</summary>
    protected new void WriteObject(object? sendToPipeline) => _queue.Post(() => base.WriteObject(sendToPipeline));

    protected new void WriteObject(object? sendToPipeline, bool enumerateCollection)
        => _queue.Post(() => base.WriteObject(sendToPipeline, enumerateCollection));

    /// <summary>
    /// Queues the FileSystem item at <paramref name="path"/> as output, read as Get-Item reads it (with the provider's
    /// properties, so it formats like Get-ChildItem's output) on the pipeline thread, which owns session state.
    /// </summary>
    protected void WriteItem(string path)
        => _queue.Post(() => base.WriteObject(SessionState.InvokeProvider.Item.Get([path], force: true, literalPath: true), enumerateCollection: true));

    /// <summary>Queues a non-terminating error for the pipeline thread.</summary>
    protected new void WriteError(ErrorRecord errorRecord) => _queue.Post(() => base.WriteError(errorRecord));

    protected new void WriteWarning(string text) => _queue.Post(() => base.WriteWarning(text));

    protected new void WriteVerbose(string text) => _queue.Post(() => base.WriteVerbose(text));

    protected new void WriteDebug(string text) => _queue.Post(() => base.WriteDebug(text));

    protected new void WriteProgress(ProgressRecord progressRecord) => _queue.Post(() => base.WriteProgress(progressRecord));

    /// <summary>
    /// Starts a progress activity (one per torrent; pass <paramref name="parent"/> for a child such as a file or
    /// a peer; pass <paramref name="unit"/> to count items such as trackers or peers instead of bytes). Write its updates with <see cref="WriteProgress(ProgressUpdate?)"/>: <c>WriteProgress(p.Report(bytes))</c>.
    /// Activities still open when the current Begin/Process/End call ends, however it ends, get their Completed record then.
    /// </summary>
    protected TransferProgress StartProgress(string activity, long total, TransferProgress? parent = null, ProgressUnit? unit = null)
        => _progress.Start(activity, total, parent, unit);

    /// <summary>Queues a progress update (from <see cref="TransferProgress"/>); a null update (throttled) writes nothing.</summary>
    protected void WriteProgress(ProgressUpdate? update)
    {
        if (update is not null)
        {
            WriteProgress(ToProgressRecord(update));
        }
    }

    /// <summary>
    /// Queues a line for the host (not the pipeline): it shows even after Ctrl+C has stopped the pipeline, which takes no
    /// more output then, so a command can still say how far it got.
    /// </summary>
    protected void WriteHostLine(string text) => _queue.Post(new HostLine(this, text).Write);

    /// <summary>
    /// Runs <paramref name="action"/> on the pipeline thread (queued from the work, at once on the pipeline thread): for
    /// what only that thread may touch, such as the runspace's job manager.
    /// </summary>
    protected void OnPipelineThread(Action action) => _queue.Post(action);

    /// <summary>Writes a non-terminating error for <paramref name="exception"/>, with its stable id and category.</summary>
    protected void WriteError(Exception exception, object? target) => WriteError(ErrorRecordFactory.Create(exception, target));

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;

            // Work abandoned after a stop may still hold the token, so the source is cancelled, not disposed
            // (it holds no unmanaged resources without timers).
            _queue.Close();
            _stopping.Cancel();
            _loggerFactory?.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private static ProgressRecord ToProgressRecord(ProgressUpdate update) => ProgressRecords.From(update);

    /// <summary>A line for the host, written on the pipeline thread even after the pipeline stopped.</summary>
    private sealed class HostLine(AsyncCmdlet cmdlet, string text) : PipelineQueue.IRunsAfterStop
    {
        public void Write() => cmdlet.Host.UI.WriteLine(text);
    }

    private void WriteLog(PipelineStream stream, string message)
    {
        switch (stream)
        {
            case PipelineStream.Debug:
                WriteDebug(message);
                break;
            case PipelineStream.Verbose:
                WriteVerbose(message);
                break;
            case PipelineStream.Warning:
                WriteWarning(message);
                break;
        }
    }

    /// <summary>Runs the work, then closes the progress activities it left open, however it ended.</summary>
    private void RunOnPool(Func<CancellationToken, Task> work)
    {
        try
        {
            _queue.Run(work, _stopping);
        }
        finally
        {
            CompleteOpenProgress();
        }
    }

    private void CompleteOpenProgress()
    {
        foreach (var update in _progress.CompleteAll())
        {
            try
            {
                base.WriteProgress(ToProgressRecord(update));
            }
            catch (RuntimeException)
            {
                // The pipeline is stopping: the host clears its progress display itself.
                return;
            }
        }
    }

    private void RunWork(Func<CancellationToken, Task> work)
    {
        try
        {
            RunOnPool(work);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped by the user: PowerShell ends the pipeline itself.
        }
        catch (RuntimeException)
        {
            // PowerShell's own exceptions from a write on the pipeline thread: PipelineStoppedException,
            // and ActionPreferenceStopException (-ErrorAction Stop), which carries the original ErrorRecord.
            throw;
        }
        catch (Exception ex)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(ex, null));
        }
    }
}
