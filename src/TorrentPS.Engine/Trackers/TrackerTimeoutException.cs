using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Trackers;

/// <summary>A tracker did not answer within the time allowed.</summary>
internal sealed class TrackerTimeoutException : TorrentPSException
{
    public TrackerTimeoutException(string trackerUrl, TimeSpan timeout)
        : base("TrackerTimeout", TorrentErrorKind.OperationTimeout, $"The tracker '{DisplayText.Escape(trackerUrl)}' did not answer within {timeout.TotalSeconds:0.###} second{(timeout.TotalSeconds == 1 ? "" : "s")}.")
    {
        TrackerUrl = trackerUrl;
        Timeout = timeout;
    }

    public string TrackerUrl { get; }

    public TimeSpan Timeout { get; }
}
