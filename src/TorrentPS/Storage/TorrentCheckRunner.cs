using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;
using TorrentPS.Formatting;
using TorrentPS.Torrents;

namespace TorrentPS.Storage;

/// <summary>
/// Where Test-Torrent's results go: queued pipeline writes, how a progress activity is started and written, and each
/// torrent's name with its verdict (for the warning that names several plain answers).
/// </summary>
internal sealed record TorrentCheckOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Verbose,
    Func<string, TransferProgress>? StartProgress = null,
    Action<ProgressUpdate?>? Progress = null,
    Action<string>? Warning = null,
    Action<(string Name, bool IsComplete)>? Answered = null);

/// <summary>
/// The work behind Test-Torrent, free of PowerShell so xunit reaches it: for each torrent, check its data in
/// <paramref name="dataFolder"/> (the folder holding the single file or the top folder) and write <c>$true</c>/<c>$false</c>,
/// or with <paramref name="detailed"/> the <see cref="VerificationResult"/>. A data folder that does not exist is an
/// error (<c>DataPathNotFound</c>), not a torrent with every file missing; one that looks like the torrent's own top folder
/// is checked as asked, with a warning saying what to pass. A torrent that cannot be read or checked is a non-terminating
/// error and the next goes on; cancellation ends the run at once.
/// </summary>
/// <remarks>
/// The files checked: those <paramref name="files"/> chooses (<c>-File</c>); without it, those the download chose (the
/// selection its resume data recorded), else every file. Files not chosen are absent by choice: reported Skipped, not
/// checked, and named in a verbose line.
/// </remarks>
internal sealed class TorrentCheckRunner(string dataFolder, bool detailed, TorrentCheckOutput output, TorrentVerifier? verifier = null, FileChoice? files = null)
{
    /// <summary>The most torrents a warning names one by one.</summary>
    private const int MaxNamed = 10;

    private readonly TorrentVerifier _verifier = verifier ?? new TorrentVerifier();

    public async Task RunAsync(IReadOnlyList<TorrentInput> inputs, CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var result = await CheckAsync(input, cancellationToken).ConfigureAwait(false);
                output.Answered?.Invoke((result.Name, result.IsComplete));
                output.Object(detailed ? result : result.IsComplete);
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                output.Error(ex, input.Target);
            }
        }
    }

    /// <summary>
    /// The warning for plain answers about several torrents (<c>$true</c>/<c>$false</c> do not say which is which):
    /// each torrent with its answer, in order; null for one torrent or none.
    /// </summary>
    public static string? ManyAnswers(IReadOnlyList<(string Name, bool IsComplete)> answers)
    {
        if (answers.Count < 2)
        {
            return null;
        }

        var named = string.Join(", ", answers.Take(MaxNamed).Select(a => $"{Engine.Text.DisplayText.Escape(a.Name)}: {(a.IsComplete ? "complete" : "not complete")}"));
        var more = answers.Count > MaxNamed ? string.Create(CultureInfo.InvariantCulture, $" and {answers.Count - MaxNamed} more") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"Checked {Counted.Of(answers.Count, "torrent")}; the answers came in this order: {named}{more}. -Detailed writes an object for each that names it.");
    }

    private async Task<VerificationResult> CheckAsync(TorrentInput input, CancellationToken cancellationToken)
    {
        var torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);
        DataFolderCheck.ThrowIfMissing(dataFolder);
        if (DataFolderCheck.OwnFolderWarning(torrent, dataFolder) is { } warning)
        {
            output.Warning?.Invoke(warning);
        }

        var location = ContentLocation.InFolder(torrent, dataFolder);
        var selection = files is { IsEverything: false } chosen
            ? chosen.Resolve(torrent)
            : ResumeData.TryLoad(location.ResumePath, torrent, null)?.Selection;
        var progress = output.StartProgress is { } start
            ? new VerificationProgressReporter(start(VerificationProgressReporter.ActivityFor(torrent.Name)), output.Progress ?? (_ => { }))
            : null;
        var result = await _verifier.VerifyAsync(torrent, location, progress, cancellationToken, selection: selection).ConfigureAwait(false);
        progress?.Complete(result);
        output.Verbose(string.Create(
            CultureInfo.InvariantCulture,
            $"{torrent.Name} at {location.ContentPath}: {VerificationProgressReporter.Summary(result)}; {ByteSize.Format(result.BytesChecked)} hashed in {Duration.Format(result.ElapsedSpan)}."));
        if (SkippedLine(result, fromResumeData: files is not { IsEverything: false }) is { } skipped)
        {
            output.Verbose(skipped);
        }

        return result;
    }

    /// <summary>The verbose line naming the files absent by choice (not checked); null when every file was checked.</summary>
    internal static string? SkippedLine(VerificationResult result, bool fromResumeData)
    {
        var skipped = result.Files.Where(f => f.IsSkipped).Select(f => f.RelativePath).ToList();
        if (skipped.Count == 0)
        {
            return null;
        }

        var why = fromResumeData ? "the download chose the other files" : "-File chose the other files";
        var named = string.Join(", ", skipped.Take(MaxNamed).Select(p => Engine.Text.DisplayText.Escape(p)));
        var more = skipped.Count > MaxNamed ? string.Create(CultureInfo.InvariantCulture, $" and {skipped.Count - MaxNamed} more") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{Counted.Of(skipped.Count, "file")} absent by choice, not checked ({why}): {named}{more}.");
    }
}
