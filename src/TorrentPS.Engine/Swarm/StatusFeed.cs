using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// A torrent's status snapshots on their way out of its loop: the latest one to read at any time, and a feed per
/// watcher that keeps only the newest snapshot not yet read (a slow watcher skips snapshots, it never slows the loop).
/// The loop publishes; watchers read on their own threads, so no watcher's code ever runs on the loop's thread.
/// </summary>
internal sealed class StatusFeed(TorrentStatus first)
{
    private static readonly BoundedChannelOptions Newest = new(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true };

    private readonly object _lock = new();
    private readonly List<Channel<TorrentStatus>> _watchers = new();
    private TorrentStatus _latest = first;
    private bool _completed;

    public TorrentStatus Latest => Volatile.Read(ref _latest);

    /// <summary>A new snapshot (the loop).</summary>
    public void Publish(TorrentStatus status)
    {
        Volatile.Write(ref _latest, status);
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(status);
            }
        }
    }

    /// <summary>The last snapshot was published: every feed ends after it.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    /// <summary>The latest snapshot at once, then each newer one as it comes (skipping those a slow reader missed), until the torrent ends.</summary>
    public async IAsyncEnumerable<TorrentStatus> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var feed = Channel.CreateBounded<TorrentStatus>(Newest);
        lock (_lock)
        {
            feed.Writer.TryWrite(_latest);
            if (_completed)
            {
                feed.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(feed);
            }
        }

        try
        {
            await foreach (var status in feed.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return status;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(feed);
            }
        }
    }
}
