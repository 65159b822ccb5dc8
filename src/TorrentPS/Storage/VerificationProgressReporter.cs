using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Storage;

/// <summary>
/// Test-Torrent's progress for one torrent: the verifier's reports (from its worker threads) become throttled updates
/// of one activity, <c>Verifying &lt;name&gt;</c>, with bytes hashed of the bytes to hash, the rate and the time remaining;
/// it ends with a Completed update carrying the verdict. Thread-safe, as the verifier reports from several threads.
/// </summary>
internal sealed class VerificationProgressReporter(TransferProgress progress, Action<ProgressUpdate?> write) : IProgress<VerificationProgress>
{
    /// <summary>The activity text for a torrent called <paramref name="name"/>.</summary>
    public static string ActivityFor(string name) => $"Verifying {name}";

    public int ActivityId => progress.ActivityId;

    public void Report(VerificationProgress value)
        => write(progress.Report(new ProgressSnapshot(value.BytesChecked, value.TotalBytes) { RatePerSecond = value.BytesPerSecond, SecondsRemaining = ProgressSnapshot.Seconds(value.TimeRemaining) }));

    /// <summary>Ends the activity with the result: <c>12/12 pieces valid</c>, and the invalid and missing counts when there are any.</summary>
    public void Complete(VerificationResult result) => write(progress.Complete(Summary(result)));

    public static string Summary(VerificationResult result)
    {
        var text = string.Format(CultureInfo.InvariantCulture, "{0}/{1} pieces valid", result.ValidPieceCount, result.PieceCount);
        if (result.InvalidPieces.Count > 0)
        {
            text += string.Format(CultureInfo.InvariantCulture, ", {0} invalid", result.InvalidPieces.Count);
        }

        if (result.MissingPieces.Count > 0)
        {
            text += string.Format(CultureInfo.InvariantCulture, ", {0} missing", result.MissingPieces.Count);
        }

        return text;
    }
}
