using System.Globalization;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Formatting;

namespace TorrentPS.Transfers;

/// <summary>
/// Runs transfers side by side in the session, each to its end: prepared (bad input is a non-terminating error naming it),
/// started, its status written as progress (<see cref="TorrentProgress"/>), and its output written when it ends. A
/// torrent that fails (no progress within -TimeoutSec, a full disk, incomplete data to seed) is a non-terminating error
/// and the others go on. Cancellation (Ctrl+C) stops every torrent: progress is saved, trackers hear <c>stopped</c>.
/// </summary>
internal sealed class TransferRunner(TransferContext context, TransferOutput output)
{
    public Task RunAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken)
        => Task.WhenAll(transfers.Select(t => RunOneAsync(t, cancellationToken)));

    private async Task RunOneAsync(Transfer transfer, CancellationToken cancellationToken)
    {
        TorrentProgress? progress = null;
        try
        {
            await transfer.PrepareAsync(context, cancellationToken).ConfigureAwait(false);
            var torrent = transfer.Start(context);
            progress = new TorrentProgress(transfer.Activity, transfer.Name, output.StartProgress, output.Progress);
            var watching = ReportAsync(torrent, progress);
            output.Verbose(Started(transfer));
            var result = await TorrentSession.RunAsync(torrent, cancellationToken).ConfigureAwait(false);
            await watching.ConfigureAwait(false);
            var summary = transfer.Summary(result);
            progress.Complete(result, summary);
            output.Verbose($"{result.Name}: {summary}.");
            if (transfer.Output(result, torrent) is { } value)
            {
                output.Object(value);
            }
        }
        catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
        {
            progress?.Fail(ex);
            output.Error(ex, transfer.Target);
        }
    }

    /// <summary>The torrent's status snapshots as progress, drained from its feed (ends when the torrent does).</summary>
    private static async Task ReportAsync(Torrent torrent, TorrentProgress progress)
    {
        await foreach (var status in torrent.WatchStatusAsync().ConfigureAwait(false))
        {
            progress.Report(status);
        }
    }

    private string Started(Transfer transfer)
    {
        var text = transfer.Activity;
        if (transfer.Length > 0)
        {
            text += " (" + ByteSize.Format(transfer.Length) + ")";
        }

        if (transfer.Where is { } where)
        {
            text += ": " + where;
        }

        var settings = context.Settings;
        if (settings.Peers.Count > 0)
        {
            text += string.Format(CultureInfo.InvariantCulture, "; peers given: {0}", string.Join(", ", settings.Peers));
        }

        if (context.Session.ListenPort > 0)
        {
            text += string.Format(CultureInfo.InvariantCulture, "; listening on port {0}", context.Session.ListenPort);
        }

        if (settings.NoProgressTimeout is { } timeout)
        {
            text += string.Format(CultureInfo.InvariantCulture, "; gives up after {0:0} s without progress", timeout.TotalSeconds);
        }

        return text + ".";
    }
}
