using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Trackers;

/// <summary>A tracker URL whose scheme this engine does not speak (only http, https and udp are).</summary>
internal sealed class UnsupportedTrackerException : TorrentPSException
{
    public UnsupportedTrackerException(string trackerUrl, string reason)
        : base("UnsupportedTracker", TorrentErrorKind.NotImplemented, $"The tracker '{DisplayText.Escape(trackerUrl)}' is not supported: {reason}")
    {
        TrackerUrl = trackerUrl;
    }

    public string TrackerUrl { get; }
}
