using System.Management.Automation;

namespace TorrentPS.Bridge.Progress;

/// <summary>A <see cref="ProgressUpdate"/> as PowerShell's ProgressRecord, for a cmdlet's progress stream and a job's alike.</summary>
internal static class ProgressRecords
{
    public static ProgressRecord From(ProgressUpdate update)
    {
        // ProgressRecord refuses empty texts and negative ids; a progress bar is never worth a failed command.
        var record = new ProgressRecord(
            Math.Max(0, update.ActivityId),
            string.IsNullOrEmpty(update.Activity) ? "TorrentPS" : update.Activity,
            string.IsNullOrEmpty(update.StatusDescription) ? (update.IsCompleted ? "Completed" : "Working") : update.StatusDescription)
        {
            PercentComplete = Math.Clamp(update.PercentComplete, -1, 100),
            SecondsRemaining = update.SecondsRemaining,
            RecordType = update.IsCompleted ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        if (update.ParentActivityId >= 0 && update.ParentActivityId != record.ActivityId)
        {
            record.ParentActivityId = update.ParentActivityId;
        }

        if (!string.IsNullOrEmpty(update.CurrentOperation))
        {
            record.CurrentOperation = update.CurrentOperation;
        }

        return record;
    }
}
