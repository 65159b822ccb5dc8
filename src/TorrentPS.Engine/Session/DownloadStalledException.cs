using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Session;

/// <summary>A download made no progress within its no-progress timeout: names what was tried and the last thing that went wrong.</summary>
internal sealed class DownloadStalledException(string name, TimeSpan limit, int trackers, int trackersWorking, int peersKnown, int peersTried, int peersConnected, string? lastError)
    : TorrentPSException(
        "DownloadStalled",
        TorrentErrorKind.OperationTimeout,
        $"'{name}' made no progress for {limit.TotalSeconds:0.#} seconds: {trackersWorking} of {trackers} trackers answered, {peersKnown} peers known, {peersTried} tried, {peersConnected} connected" +
        (lastError is null ? "." : $"; last error: {lastError}."))
{
    public TimeSpan Limit { get; } = limit;

    public int PeersKnown { get; } = peersKnown;

    public string? LastError { get; } = lastError;
}
