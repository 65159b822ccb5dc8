using System.Runtime.ExceptionServices;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// The machinery of a whole-content pass over a torrent's pieces (checking data against a torrent, hashing new data into
/// one): the pieces to visit cut into runs of about one read each (<see cref="Plan"/>), and workers that take the runs in
/// order (<see cref="RunAsync"/>), each reading its run front to back in one large read and hashing its pieces, so reading
/// and hashing overlap on every core while the files are still read nearly in order.
/// </summary>
internal static class PieceRuns
{
    /// <summary>
    /// Runs of consecutive pieces that <paramref name="include"/> accepts, each at most <paramref name="readSize"/> bytes
    /// (a longer piece is a run of its own, and so is a piece <paramref name="alone"/> picks: one with bytes in a part
    /// file, so that a slot cut short costs only its piece); <paramref name="total"/> is the bytes they hold.
    /// </summary>
    public static List<(int First, int Last)> Plan(FileLayout layout, Predicate<int> include, int readSize, out long total, Predicate<int>? alone = null)
    {
        var runs = new List<(int First, int Last)>();
        total = 0;
        var first = -1;
        long runBytes = 0;
        for (var piece = 0; piece < layout.PieceCount; piece++)
        {
            if (!include(piece))
            {
                Close(piece - 1);
                continue;
            }

            var size = layout.GetPieceSize(piece);
            total += size;
            if (first >= 0 && (runBytes + size > readSize || (alone is not null && (alone(piece) || alone(piece - 1)))))
            {
                Close(piece - 1);
            }

            if (first < 0)
            {
                first = piece;
            }

            runBytes += size;
        }

        Close(layout.PieceCount - 1);
        return runs;

        void Close(int last)
        {
            if (first >= 0)
            {
                runs.Add((first, last));
                first = -1;
                runBytes = 0;
            }
        }
    }

    /// <summary>
    /// Processes <paramref name="runs"/> on <paramref name="workers"/> threads, each with its own worker (its buffer and
    /// hash state) from <paramref name="createWorker"/>, taking the runs in order. A failing worker stops the others and
    /// its error, not their cancellation, is what the caller sees.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task RunAsync(IReadOnlyList<(int First, int Last)> runs, int workers, Func<PieceRunWorker> createWorker, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
        {
            return;
        }

        var next = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task[Math.Clamp(workers, 1, runs.Count)];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Task.Run(Work, stop.Token);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            foreach (var task in tasks)
            {
                if (task.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) is { } fault)
                {
                    ExceptionDispatchInfo.Throw(fault);
                }
            }

            throw;
        }

        void Work()
        {
            using var worker = createWorker();
            try
            {
                for (var run = Interlocked.Increment(ref next); run < runs.Count; run = Interlocked.Increment(ref next))
                {
                    worker.Process(runs[run].First, runs[run].Last, stop.Token, cancellationToken);
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }
    }
}

/// <summary>One thread's part of a <see cref="PieceRuns.RunAsync"/> pass: its buffer and hash state, and what it does with a run.</summary>
internal abstract class PieceRunWorker : IDisposable
{
    /// <summary>Reads and hashes pieces <paramref name="first"/> to <paramref name="last"/>; checks both tokens before each read.</summary>
    /// <param name="stop">Cancelled when the caller cancels or another worker fails.</param>
    /// <param name="cancellationToken">The caller's token, checked directly too: it is set the moment the caller cancels,
    /// while <paramref name="stop"/> follows only once the cancelling thread has run its callbacks.</param>
    public abstract void Process(int first, int last, CancellationToken stop, CancellationToken cancellationToken);

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
