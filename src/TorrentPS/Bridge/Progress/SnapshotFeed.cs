using System.Threading.Channels;

namespace TorrentPS.Bridge.Progress;

/// <summary>
/// Carries an engine operation's progress snapshots to a progress activity without running module code on the
/// engine's threads: the engine writes each snapshot to <see cref="Writer"/> (unbounded: it never waits), a drain on
/// the thread pool maps each to an update and writes it, and once the engine completes the channel at the
/// operation's end, writes the Completed update. Disposing waits for that last write (and completes the channel
/// itself, should the operation never have run).
/// </summary>
/// <typeparam name="TSnapshot">The engine's snapshot type (<c>TrackerBatchProgress</c>, <c>HandshakeBatchProgress</c>).</typeparam>
internal sealed class SnapshotFeed<TSnapshot> : IAsyncDisposable
{
    private readonly Channel<TSnapshot> _channel = Channel.CreateUnbounded<TSnapshot>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _drained;

    /// <param name="report">Maps a snapshot to an update (null when throttled).</param>
    /// <param name="complete">The Completed update, once the last snapshot is in.</param>
    /// <param name="write">Writes an update (a queued pipeline write); null updates are skipped.</param>
    public SnapshotFeed(Func<TSnapshot, ProgressUpdate?> report, Func<ProgressUpdate?> complete, Action<ProgressUpdate> write)
        => _drained = DrainAsync(report, complete, write);

    /// <summary>Where the engine writes its snapshots.</summary>
    public ChannelWriter<TSnapshot> Writer => _channel.Writer;

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _drained.ConfigureAwait(false);
    }

    private async Task DrainAsync(Func<TSnapshot, ProgressUpdate?> report, Func<ProgressUpdate?> complete, Action<ProgressUpdate> write)
    {
        // A channel's reader resumes on the thread pool, never inline on the thread that wrote.
        await foreach (var snapshot in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (report(snapshot) is { } update)
            {
                write(update);
            }
        }

        if (complete() is { } completed)
        {
            write(completed);
        }
    }
}
