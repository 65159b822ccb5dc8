namespace TorrentPS.Cli;

/// <summary>
/// What Ctrl+C does to `tps`: the first asks the running command to stop (its token is cancelled; it prints
/// "cancelled" and exits 130), any later one ends the process at once, whatever the command is waiting on.
/// </summary>
internal sealed class CancelKeyPolicy(CancellationTokenSource cancellation)
{
    /// <summary>Called for each Ctrl+C; true when the process must end now (the runtime's default for Ctrl+C).</summary>
    public bool ShouldTerminate()
    {
        if (cancellation.IsCancellationRequested)
        {
            return true;
        }

        cancellation.Cancel();
        return false;
    }
}
