namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Keeps a log line that peers can make us repeat (a refused connection, a failed dial, a bad message) from flooding the
/// log: at most <c>burst</c> lines of one kind per <c>window</c>; the rest are only counted, and the next line of that
/// kind let through says how many were left out. A peer repeating one fault a million times costs a counter, not a
/// million lines. Kinds are a few fixed names. Owned by one thread (the loop's parts).
/// </summary>
internal sealed class LogRateLimiter(TimeProvider time, int burst = 20, TimeSpan? window = null)
{
    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a line of <paramref name="kind"/> may be logged now; when it may, <paramref name="leftOut"/> is how many of
    /// that kind were left out since the last one logged (say so in the line when it is not 0).
    /// </summary>
    public bool ShouldLog(string kind, out int leftOut)
    {
        var now = time.GetTimestamp();
        if (!_kinds.TryGetValue(kind, out var state))
        {
            state = new Kind { WindowStart = now };
            _kinds.Add(kind, state);
        }

        if (time.GetElapsedTime(state.WindowStart, now) >= _window)
        {
            state.WindowStart = now;
            state.Logged = 0;
        }

        if (state.Logged >= burst)
        {
            state.LeftOut++;
            leftOut = 0;
            return false;
        }

        state.Logged++;
        leftOut = state.LeftOut;
        state.LeftOut = 0;
        return true;
    }

    /// <summary>Lines of <paramref name="kind"/> left out and not yet reported.</summary>
    public int LeftOut(string kind) => _kinds.TryGetValue(kind, out var state) ? state.LeftOut : 0;

    /// <summary>" (N more like it not logged)" for a line after <paramref name="leftOut"/> were left out; empty otherwise.</summary>
    public static string Note(int leftOut) => leftOut > 0 ? $" ({leftOut} more like it not logged)" : string.Empty;

    private sealed class Kind
    {
        public long WindowStart;
        public int Logged;
        public int LeftOut;
    }
}
