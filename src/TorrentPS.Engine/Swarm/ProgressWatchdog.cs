namespace TorrentPS.Engine.Swarm;

/// <summary>
/// When the torrent last made progress (a block we asked for arrived, a piece was verified, the check ended), and
/// whether it has gone without for longer than allowed. Owned by the loop; times are <see cref="TimeProvider"/> timestamps.
/// </summary>
internal sealed class ProgressWatchdog(TimeProvider time, long startedAt)
{
    private long _lastProgressAt = startedAt;

    public void Progressed(long now) => _lastProgressAt = now;

    /// <summary>True when nothing progressed for <paramref name="limit"/> (null: never).</summary>
    public bool IsStalled(long now, TimeSpan? limit) => limit is { } max && time.GetElapsedTime(_lastProgressAt, now) >= max;
}
