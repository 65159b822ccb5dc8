using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Transfers;

namespace TorrentPS.Session;

/// <summary>
/// Wait-Torrent: waits until each torrent is in one of the states asked for (by default: until no run is going on, so
/// paused, stopped, completed or failed), or the timeout passes, or the waiting is cancelled (Ctrl+C stops the waiting,
/// never the torrents). Meanwhile each running torrent's status is its own progress activity under one overall
/// activity. Event driven: each torrent's StateChanged and status feed, no polling.
/// </summary>
internal sealed class TorrentWaiter(
    Func<string, long, TransferProgress?, TransferProgress> startProgress,
    Action<ProgressUpdate?> writeProgress)
{
    /// <summary>Whether <paramref name="torrent"/> is where the wait ends.</summary>
    public static bool IsReached(Torrent torrent, IReadOnlyCollection<TorrentState>? states)
        => states is { Count: > 0 } ? states.Contains(torrent.State) : !torrent.IsRunning;

    /// <summary>The torrents that reached the states, in the order given (those that did not by the timeout are left out).</summary>
    public async Task<IReadOnlyList<Torrent>> WaitAsync(IReadOnlyList<Torrent> torrents, IReadOnlyCollection<TorrentState>? states, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            waiting.CancelAfter(limit);
        }

        var overall = startProgress(string.Format(CultureInfo.InvariantCulture, "Waiting for {0}", Count(torrents.Count)), torrents.Count, null);
        var done = 0;
        void OneDone() => writeProgress(overall.Report(new ProgressSnapshot(Interlocked.Increment(ref done), torrents.Count)
        {
            Status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} done", Volatile.Read(ref done), torrents.Count),
        }));

        writeProgress(overall.Report(new ProgressSnapshot(0, torrents.Count) { Status = $"0 of {torrents.Count} done" }));
        var reached = await Task.WhenAll(torrents.Select(t => WaitOneAsync(t, states, overall, OneDone, waiting.Token))).ConfigureAwait(false);
        writeProgress(overall.Complete(string.Format(CultureInfo.InvariantCulture, "{0} of {1} done", reached.Count(r => r), torrents.Count)));
        cancellationToken.ThrowIfCancellationRequested();
        return torrents.Where((_, i) => reached[i]).ToArray();
    }

    private static string Count(int count) => count == 1 ? "1 torrent" : $"{count} torrents";

    /// <summary>True when the torrent reached the states; false when the wait was cut short.</summary>
    private async Task<bool> WaitOneAsync(Torrent torrent, IReadOnlyCollection<TorrentState>? states, TransferProgress overall, Action oneDone, CancellationToken cancellationToken)
    {
        var changed = new SemaphoreSlim(0);
        void OnChange(object? sender, TorrentEventArgs e) => changed.Release();
        torrent.StateChanged += OnChange;
        TorrentProgress? progress = null;
        try
        {
            while (!IsReached(torrent, states))
            {
                if (torrent.IsRunning)
                {
                    progress ??= new TorrentProgress($"Waiting for {torrent.Name}", torrent.Name, startProgress, writeProgress, overall);
                    await foreach (var status in torrent.WatchStatusAsync(cancellationToken).ConfigureAwait(false))
                    {
                        progress.Report(status);
                        if (IsReached(torrent, states))
                        {
                            break;
                        }
                    }
                }

                if (!IsReached(torrent, states))
                {
                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            progress?.End($"{torrent.State}: {torrent.StatusLine}");
            oneDone();
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress?.End($"Still {torrent.State}: {torrent.StatusLine}");
            return false;
        }
        finally
        {
            torrent.StateChanged -= OnChange;
            changed.Dispose();
        }
    }
}
