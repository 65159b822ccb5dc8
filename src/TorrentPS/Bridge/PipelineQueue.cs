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
    private int _pipelineThreadId;
    private volatile bool _closed;

    /// <summary>The thread that creates the queue is the pipeline thread until <see cref="Run"/> is called from another.</summary>
    public PipelineQueue() => _pipelineThreadId = Environment.CurrentManagedThreadId;

    /// <summary>
    /// How long <see cref="Run"/> keeps waiting for the work once cancellation is requested. Work that
    /// honours its token ends well within it; work that does not is left to finish in the background,
    /// so a stopped pipeline never hangs.
    /// </summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True on the pipeline thread (the thread inside, or last inside, <see cref="Run"/>).</summary>
    public bool IsOnPipelineThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _pipelineThreadId);

    /// <summary>True while <see cref="Run"/> is executing work.</summary>
    public bool IsRunning => Volatile.Read(ref _actions) is not null;

    /// <summary>
    /// Posts an action to the pipeline thread. On the pipeline thread itself the action runs at once.
    /// From any other thread it is queued while work runs, and dropped (false) when no work runs: a
    /// late write from a stray background task must never touch the pipeline from the wrong thread.
    /// </summary>
    public bool Post(Action action)
    {
        if (_closed)
        {
            return false;
        }

        if (IsOnPipelineThread)
        {
            action();
            return true;
        }

        var actions = Volatile.Read(ref _actions);
        if (actions is null)
        {
            return false;
        }

        try
        {
            actions.Add(action);
            return true;
        }
        catch (InvalidOperationException)
        {
            // The work has completed (adding is closed); the write has nowhere to go.
            return false;
        }
    }

    /// <summary>
    /// Ends the queue's life (the cmdlet is disposed): every later post is dropped, whatever thread makes it,
    /// so a background task that outlives the pipeline never writes to it.
    /// </summary>
    public void Close() => _closed = true;

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool and executes posted actions on this thread
    /// until the work ends. If an action throws (PowerShell throws <c>PipelineStoppedException</c>
    /// from a write once the pipeline stops), <paramref name="cancellation"/> is cancelled, later actions
    /// are dropped, the work is allowed to finish (so it leaves consistent state) and the action's
    /// exception is rethrown. Once <paramref name="cancellation"/> is cancelled the work gets
    /// <see cref="StopGracePeriod"/> to end; past it, Run throws <see cref="OperationCanceledException"/>
    /// and leaves the work to finish unobserved. Otherwise the work's own exception, if any, is rethrown.
    /// </summary>
    public void Run(Func<CancellationToken, Task> work, CancellationTokenSource cancellation)
    {
        var actions = new BlockingCollection<Action>();
        if (Interlocked.CompareExchange(ref _actions, actions, null) is not null)
        {
            throw new InvalidOperationException("The pipeline queue is already running work.");
        }

        Volatile.Write(ref _pipelineThreadId, Environment.CurrentManagedThreadId);
        ExceptionDispatchInfo? actionFailure = null;
        var abandoned = false;
        var token = cancellation.Token;
        Task task;
        try
        {
            task = Task.Run(() => work(token), CancellationToken.None);
            _ = task.ContinueWith(static (_, state) => ((BlockingCollection<Action>)state!).CompleteAdding(), actions, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            long? stopDeadline = null;
            while (true)
            {
                if (!TryTakeNext(actions, token, ref stopDeadline, out var action, out var timedOut))
                {
                    abandoned = timedOut;
                    break;
                }

                if (actionFailure is not null)
                {
                    // The pipeline can take no more; a line for the host still shows (Ctrl+C's account of what was done).
                    if (action.Target is IRunsAfterStop)
                    {
                        RunQuietly(action);
                    }

                    continue;
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
            // From here on, posts from other threads are dropped.
            actions.CompleteAdding();
            Volatile.Write(ref _actions, null);
        }

        if (abandoned)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            actionFailure?.Throw();
            throw new OperationCanceledException($"The operation did not stop within {StopGracePeriod.TotalSeconds:0.#} s of being cancelled; it finishes in the background.", token);
        }

        actionFailure?.Throw();
        if (task.IsFaulted)
        {
            ExceptionDispatchInfo.Capture(task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception).Throw();
        }

        if (task.IsCanceled)
        {
            throw new OperationCanceledException(token);
        }
    }

    /// <summary>Marks the target of an action that runs even after the pipeline stopped (it writes to the host, not the pipeline).</summary>
    internal interface IRunsAfterStop
    {
    }

    private static void RunQuietly(Action action)
    {
        try
        {
            action();
        }
        catch (Exception)
        {
            // The host is going too: the line is lost, nothing else is.
        }
    }

    /// <summary>
    /// The next action; false when the work has ended and every action was taken, or (timedOut) when
    /// cancellation was requested and the grace period has passed.
    /// </summary>
    private bool TryTakeNext(BlockingCollection<Action> actions, CancellationToken token, ref long? stopDeadline, out Action action, out bool timedOut)
    {
        timedOut = false;
        while (true)
        {
            if (stopDeadline is null)
            {
                try
                {
                    if (actions.TryTake(out action!, Timeout.Infinite, token))
                    {
                        return true;
                    }

                    return false; // completed and empty
                }
                catch (OperationCanceledException)
                {
                    stopDeadline = Environment.TickCount64 + (long)StopGracePeriod.TotalMilliseconds;
                    continue;
                }
            }

            var remaining = stopDeadline.Value - Environment.TickCount64;
            if (actions.TryTake(out action!, (int)Math.Clamp(remaining, 0, int.MaxValue)))
            {
                return true;
            }

            if (actions.IsCompleted)
            {
                return false;
            }

            if (remaining <= 0)
            {
                timedOut = true;
                return false;
            }
        }
    }
}
