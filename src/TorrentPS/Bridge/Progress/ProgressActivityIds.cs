namespace TorrentPS.Bridge.Progress;

/// <summary>Hands out activity ids unique in the process, so every torrent's progress bar is its own.</summary>
public static class ProgressActivityIds
{
    private static int _last;

    /// <summary>The next id: always positive (PowerShell requires ActivityId ≥ 0; 0 is left alone).</summary>
    public static int Next()
    {
        while (true)
        {
            var id = Interlocked.Increment(ref _last);
            if (id > 0)
            {
                return id;
            }

            Interlocked.CompareExchange(ref _last, 0, id);
        }
    }
}
