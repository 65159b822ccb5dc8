namespace TorrentPS.Bridge.Progress;

/// <summary>
/// One progress report, free of PowerShell: <see cref="AsyncCmdlet"/> turns it into a ProgressRecord.
/// -1 means "unknown" for <see cref="PercentComplete"/> and <see cref="SecondsRemaining"/>, and "no parent"
/// for <see cref="ParentActivityId"/>.
/// </summary>
public sealed record ProgressUpdate(int ActivityId, string Activity, string StatusDescription)
{
    public int ParentActivityId { get; init; } = -1;

    public int PercentComplete { get; init; } = -1;

    public int SecondsRemaining { get; init; } = -1;

    public string? CurrentOperation { get; init; }

    /// <summary>The last record of the activity: the host removes its progress bar.</summary>
    public bool IsCompleted { get; init; }
}
