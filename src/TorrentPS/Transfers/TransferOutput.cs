using TorrentPS.Bridge.Progress;

namespace TorrentPS.Transfers;

/// <summary>Where a transfer's writes go: the cmdlet's queued pipeline writes, and how it starts progress activities.</summary>
internal sealed record TransferOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Verbose,
    Func<string, long, TransferProgress?, TransferProgress> StartProgress,
    Action<ProgressUpdate?> Progress);
