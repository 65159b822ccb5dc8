using System.Globalization;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Formatting;

namespace TorrentPS.Transfers;

/// <summary>
/// Runs transfers side by side in the session, each to its end: prepared (bad input is a non-terminating error naming it),
/// started (or attached to, when the session runs that torrent into the same place already), its status written as
/// progress (<see cref="TorrentProgress"/>), and its output written when it ends. A torrent that fails (no progress within
/// -TimeoutSec, a full disk, incomplete data to seed) is a non-terminating error and the others go on. Cancellation
/// (Ctrl+C) stops every torrent: progress is saved, trackers hear <c>stopped</c>, and since a stopped pipeline takes no
/// more output, a line through the host says how far each got (the torrent stays listed by Get-Torrent).
/// </summary>
internal sealed class TransferRunner(TransferContext context, TransferOutput output)
{
    public Task RunAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken)
        => Task.WhenAll(transfers.Select(t => RunOneAsync(t, cancellationToken)));

    /// <summary>
    /// <c>-AsJob</c>: each transfer prepared and started (or attached to) as a job made by <paramref name="newJob"/>, which
    /// then follows the torrent; <paramref name="started"/> registers and writes each job. Bad input is an error, as in
    /// the foreground, and no job is made for it.
    /// </summary>
    public Task StartJobsAsync(IReadOnlyList<Transfer> transfers, Func<Transfer, Jobs.TorrentJob> newJob, Action<Jobs.TorrentJob> started, CancellationToken cancellationToken)
        => Task.WhenAll(transfers.Select(t => StartJobAsync(t, newJob, started, cancellationToken)));

    /// <summary>The line a stopped foreground command leaves on the host: how far it got and what it sent.</summary>
    public static string StoppedLine(DownloadResult result)
        => string.Format(
            CultureInfo.InvariantCulture,
            "{0}: {1} with {2} of {3} pieces ({4:0.#}%), {5} downloaded and {6} uploaded in this run; Resume-Torrent or the same command continues it.",
            result.Name,
            result.State,
            result.VerifiedPieces,
            result.PieceCount,
            result.PieceCount > 0 ? result.VerifiedPieces * 100.0 / result.PieceCount : 0,
            ByteSize.Format(result.Downloaded),
            ByteSize.Format(result.Uploaded));

    private async Task RunOneAsync(Transfer transfer, CancellationToken cancellationToken)
    {
        TorrentProgress? progress = null;
        try
        {
            await transfer.PrepareAsync(context, cancellationToken).ConfigureAwait(false);
            var torrent = transfer.Start(context, out var attached);
            transfer.Started(torrent);
            progress = new TorrentProgress(transfer.Activity, transfer.Name, output.StartProgress, output.Progress);
            var watching = ReportAsync(torrent, progress);
            output.Verbose(Started(transfer, attached));
            var result = await torrent.RunAsync(cancellationToken).ConfigureAwait(false);
            await watching.ConfigureAwait(false);
            var summary = transfer.Summary(result);
            progress.Complete(result, summary);
            output.Verbose($"{result.Name}: {summary}.");
            if (cancellationToken.IsCancellationRequested && result.State is TorrentState.Stopped or TorrentState.Paused)
            {
                output.Host?.Invoke(StoppedLine(result));
            }

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

    private async Task StartJobAsync(Transfer transfer, Func<Transfer, Jobs.TorrentJob> newJob, Action<Jobs.TorrentJob> started, CancellationToken cancellationToken)
    {
        try
        {
            await transfer.PrepareAsync(context, cancellationToken).ConfigureAwait(false);
            var job = newJob(transfer);
            var torrent = transfer.Start(context with { Loggers = job.Loggers, Background = true }, out var attached);
            transfer.Started(torrent);
            job.Follow(torrent, transfer);
            output.Verbose(Started(transfer, attached) + " It runs as a job.");
            started(job);
        }
        catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
        {
            output.Error(ex, transfer.Target);
        }
    }

    /// <summary>The torrent's status snapshots as progress, drained from its feed (ends when its run does).</summary>
    private static async Task ReportAsync(Torrent torrent, TorrentProgress progress)
    {
        await foreach (var status in torrent.WatchStatusAsync().ConfigureAwait(false))
        {
            progress.Report(status);
        }
    }

    private string Started(Transfer transfer, bool attached)
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

        if (attached)
        {
            return text + "; the session runs it already: waiting on that run.";
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
