using TorrentPS.Bridge.Progress;

namespace TorrentPS.Transfers;

/// <summary>
/// Where a transfer's writes go: the cmdlet's queued pipeline writes, how it starts progress activities, and a line for
/// the host (null: none), which still shows once Ctrl+C has stopped the pipeline.
/// </summary>
internal sealed record TransferOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Verbose,
    Func<string, long, TransferProgress?, TransferProgress> StartProgress,
    Action<ProgressUpdate?> Progress,
    Action<string>? Host = null);
