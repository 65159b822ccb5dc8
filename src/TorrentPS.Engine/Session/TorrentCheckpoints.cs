using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Saves a torrent's progress off its loop: one save at a time on the thread pool (the data flushed, then the resume
/// record written atomically), and a final one when the torrent ends. The loop's <c>PieceLedger</c> decides when.
/// </summary>
internal sealed class TorrentCheckpoints(ITorrentData data, ILogger logger, string name)
{
    private Task _saving = Task.CompletedTask;

    /// <summary>A save is still running (the next waits for a later tick).</summary>
    public bool Busy => !_saving.IsCompleted;

    /// <summary>Saves <paramref name="verified"/> in the background; a failure is a warning (the next save tries again).</summary>
    public void Save(Bitfield verified)
    {
        _saving = Task.Run(() =>
        {
            try
            {
                data.Checkpoint(verified, final: false);
            }
            catch (Exception ex)
            {
                logger.LogWarning("{Torrent}: saving progress failed: {Reason}", name, ex.Message);
            }
        });
    }

    /// <summary>The last save, after the one running (waited for up to <paramref name="wait"/>); throws what it throws.</summary>
    public async Task SaveFinalAsync(Bitfield verified, TimeSpan wait)
    {
        try
        {
            await _saving.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Torrent}: an earlier save of progress is still running; saving again", name);
        }

        await Task.Run(() => data.Checkpoint(verified, final: true)).ConfigureAwait(false);
    }
}
