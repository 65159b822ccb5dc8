using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace TorrentPS.Bridge;

/// <summary>
/// Runs asynchronous engine work on the thread pool while the calling (pipeline) thread executes the
/// actions the work posts: PowerShell allows pipeline writes only from the pipeline thread.
/// Knows nothing of PowerShell, so xunit can drive it.
/// </summary>
internal sealed class PipelineQueue
{
    private BlockingCollection<Action>? _actions;
    private int _pipelineThreadId = -1;

    /// <summary>True on the thread currently inside <see cref="Run"/>.</summary>
    public bool IsOnPipelineThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _pipelineThreadId);

    /// <summary>
    /// Posts an action to the pipeline thread. On the pipeline thread itself, or when no work is
    /// running, the action runs at once. Actions posted after the work has ended are dropped.
    /// </summary>
    public void Post(Action action)
    {
        var actions = Volatile.Read(ref _actions);
        if (actions is null || IsOnPipelineThread)
        {
            action();
            return;
        }

        try
        {
            actions.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The work has completed; a late write from a stray background task has nowhere to go.
        }
    }

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool and executes posted actions on this thread
    /// until the work ends. If an action throws (PowerShell throws <c>PipelineStoppedException</c>
    /// from a write once the pipeline stops), <paramref name="cancellation"/> is cancelled, the work
    /// is allowed to finish (so it leaves consistent state) and the action's exception is rethrown.
    /// Otherwise the work's own exception, if any, is rethrown.
    /// </summary>
    public void Run(Func<CancellationToken, Task> work, CancellationTokenSource cancellation)
    {
        if (_actions is not null)
        {
            throw new InvalidOperationException("The pipeline queue is already running work.");
        }

        using var actions = new BlockingCollection<Action>();
        Volatile.Write(ref _actions, actions);
        Volatile.Write(ref _pipelineThreadId, Environment.CurrentManagedThreadId);
        ExceptionDispatchInfo? actionFailure = null;
        Task task;
        try
        {
            var token = cancellation.Token;
            task = Task.Run(() => work(token), CancellationToken.None);
            _ = task.ContinueWith(static (_, state) => ((BlockingCollection<Action>)state!).CompleteAdding(), actions, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            foreach (var action in actions.GetConsumingEnumerable())
            {
                if (actionFailure is not null)
                {
                    continue; // drain without running: the pipeline can take no more
                }

                try
                {
                    action();
                }
                catch (Exception ex)
                {
                    actionFailure = ExceptionDispatchInfo.Capture(ex);
                    cancellation.Cancel();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _pipelineThreadId, -1);
            Volatile.Write(ref _actions, null);
        }

        actionFailure?.Throw();
        if (task.IsFaulted)
        {
            ExceptionDispatchInfo.Capture(task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception).Throw();
        }

        if (task.IsCanceled)
        {
            throw new OperationCanceledException(cancellation.Token);
        }
    }
}
