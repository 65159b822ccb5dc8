using System.Globalization;
using TorrentPS.Bridge.Progress;

using TorrentPS.Engine.Peers;

namespace TorrentPS.Peers;

/// <summary>
/// Invoke-PeerHandshake's progress: one activity for the whole batch, counting handshakes finished (answered or
/// failed) out of the peers known; the status reads <c>12 of 40 peers: 9 answered, 3 failed</c>, followed by the
/// rate (<c>2.5 peers/s</c>). SecondsRemaining comes from the rate, capped by the most the remaining peers can take
/// by the timeout (<c>-ThrottleLimit</c> at once). Thread-safe.
/// </summary>
internal sealed class HandshakeProgress
{
    /// <summary>The activity text.</summary>
    public const string Activity = "Handshaking with peers";

    /// <summary>
    /// The timeouts one peer can run into one after another: connecting, the handshake, the peer id and the
    /// extension handshake each get the whole -TimeoutSec.
    /// </summary>
    public const int TimeoutsPerPeer = 4;

    private readonly object _gate = new();
    private readonly TransferProgress _progress;
    private readonly int _peers;
    private readonly int _throttleLimit;
    private readonly TimeSpan _timeout;
    private int _answered;
    private int _failed;
    private string? _lastFinished;

    public HandshakeProgress(TransferProgress progress, int peers, int throttleLimit, TimeSpan timeout)
    {
        _progress = progress;
        _peers = Math.Max(0, peers);
        _throttleLimit = Math.Max(1, throttleLimit);
        _timeout = timeout;
    }

    /// <summary>The unit the activity counts in.</summary>
    public static ProgressUnit Unit { get; } = ProgressUnit.Items("peers");

    public int ActivityId => _progress.ActivityId;

    /// <summary>The first update: nothing finished yet.</summary>
    public ProgressUpdate? Begin()
    {
        lock (_gate)
        {
            return ReportLocked();
        }
    }

    /// <summary>The handshake with <paramref name="peer"/> succeeded.</summary>
    public ProgressUpdate? PeerAnswered(TorrentPeer? peer) => Finish(peer, answered: true);

    /// <summary>The handshake with <paramref name="peer"/> failed (unreachable, timed out, another torrent, a protocol error).</summary>
    public ProgressUpdate? PeerFailed(TorrentPeer? peer) => Finish(peer, answered: false);

    /// <summary>The Completed update with the final counts.</summary>
    public ProgressUpdate? Complete()
    {
        lock (_gate)
        {
            return _progress.Complete(StatusLocked());
        }
    }

    private ProgressUpdate? Finish(TorrentPeer? peer, bool answered)
    {
        lock (_gate)
        {
            if (answered)
            {
                _answered++;
            }
            else
            {
                _failed++;
            }

            _lastFinished = peer is null ? _lastFinished : peer.EndPointText + (answered ? " answered" : " failed");
            return ReportLocked();
        }
    }

    private ProgressUpdate? ReportLocked()
    {
        var finished = _answered + _failed;
        var total = Math.Max(_peers, finished);
        return _progress.Report(new ProgressSnapshot(finished, total)
        {
            Status = StatusLocked(),
            SecondsRemainingLimit = SecondsRemainingLimit(total - finished),
            CurrentOperation = _lastFinished,
        });
    }

    private string StatusLocked()
    {
        var total = Math.Max(_peers, _answered + _failed);
        return string.Format(
            CultureInfo.InvariantCulture,
            "{0} of {1} {2}: {3} answered, {4} failed",
            _answered + _failed,
            total,
            total == 1 ? "peer" : "peers",
            _answered,
            _failed);
    }

    /// <summary>The most the <paramref name="remaining"/> peers can take: in waves of -ThrottleLimit, each wave every timeout in turn.</summary>
    private int SecondsRemainingLimit(int remaining)
    {
        var waves = (remaining + _throttleLimit - 1) / _throttleLimit;
        return (int)Math.Min(int.MaxValue, Math.Ceiling(waves * TimeoutsPerPeer * _timeout.TotalSeconds));
    }
}
