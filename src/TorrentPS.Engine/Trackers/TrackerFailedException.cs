using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// A tracker answered with a failure reason, an HTTP error status or a response this engine cannot read,
/// or could not be reached. The message names the tracker and the reason.
/// </summary>
internal sealed class TrackerFailedException : TorrentPSException
{
    public TrackerFailedException(string trackerUrl, string reason, Exception? innerException = null)
        : base("TrackerFailed", TorrentErrorKind.ProtocolError, $"The tracker '{DisplayText.Escape(trackerUrl)}' failed: {DisplayText.Escape(reason, MaxReasonLength)}", innerException)
    {
        TrackerUrl = trackerUrl;
        Reason = reason;
    }

    /// <summary>The most characters of the reason the message shows (<see cref="Reason"/> keeps it whole).</summary>
    public const int MaxReasonLength = 512;

    public string TrackerUrl { get; }

    /// <summary>The tracker's own failure text, or what went wrong with its answer.</summary>
    public string Reason { get; }
}
