using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Storage;

/// <summary>Where Test-Torrent's results go: queued pipeline writes, and how a progress activity is started and written.</summary>
internal sealed record TorrentCheckOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Verbose,
    Func<string, TransferProgress>? StartProgress = null,
    Action<ProgressUpdate?>? Progress = null);

/// <summary>
/// The work behind Test-Torrent, free of PowerShell so xunit reaches it: for each torrent, check its data in
/// <paramref name="dataFolder"/> (the folder holding the single file or the top folder) and write <c>$true</c>/<c>$false</c>,
/// or with <paramref name="detailed"/> the <see cref="VerificationResult"/>. A torrent that cannot be read or checked is a
/// non-terminating error and the next goes on; cancellation ends the run at once.
/// </summary>
internal sealed class TorrentCheckRunner(string dataFolder, bool detailed, TorrentCheckOutput output, TorrentVerifier? verifier = null)
{
    private readonly TorrentVerifier _verifier = verifier ?? new TorrentVerifier();

    public async Task RunAsync(IReadOnlyList<TorrentCheckInput> inputs, CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var result = await CheckAsync(input, cancellationToken).ConfigureAwait(false);
                output.Object(detailed ? result : result.IsComplete);
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                output.Error(ex, input.Target);
            }
        }
    }

    private async Task<VerificationResult> CheckAsync(TorrentCheckInput input, CancellationToken cancellationToken)
    {
        var torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);
        var location = ContentLocation.InFolder(torrent, dataFolder);
        var progress = output.StartProgress is { } start
            ? new VerificationProgressReporter(start(VerificationProgressReporter.ActivityFor(torrent.Name)), output.Progress ?? (_ => { }))
            : null;
        var result = await _verifier.VerifyAsync(torrent, location, progress, cancellationToken).ConfigureAwait(false);
        progress?.Complete(result);
        output.Verbose($"{torrent.Name} at {location.ContentPath}: {VerificationProgressReporter.Summary(result)}; {result.BytesChecked} bytes hashed in {result.Elapsed.TotalSeconds:0.00} s.");
        return result;
    }
}
