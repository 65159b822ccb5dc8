namespace TorrentPS.Engine.Wire;

/// <summary>
/// The dedicated threads connections block on: background threads with small stacks. A block's way from the socket to
/// its piece buffer, its hash and its write stays on its connection's thread (shared/PERFORMANCE.md: every thread hop
/// costs, and on two cores it costs a lot).
/// </summary>
internal static class ConnectionThread
{
    /// <summary>Enough for the receive path (decoding, hashing, positional writes); threads reserve, not commit, it.</summary>
    public const int StackSize = 256 * 1024;

    /// <summary>Starts <paramref name="work"/> on a new background thread. It must catch its own exceptions: one escaping a thread ends the process.</summary>
    public static Thread Start(string name, Action work)
    {
        var thread = new Thread(() => work(), StackSize) { IsBackground = true, Name = name };
        thread.UnsafeStart();
        return thread;
    }

    /// <summary>Runs blocking <paramref name="work"/> on a thread of its own and completes with its result or exception.</summary>
    public static Task<T> RunAsync<T>(string name, Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Start(name, () =>
        {
            try
            {
                completion.TrySetResult(work());
            }
            catch (OperationCanceledException ex)
            {
                completion.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                completion.TrySetException(ex);
            }
        });
        return completion.Task;
    }
}
