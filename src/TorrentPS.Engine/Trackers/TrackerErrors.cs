using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Trackers;

/// <summary>Keeps tracker failures typed: anything unexpected from one tracker becomes a TrackerFailed naming it.</summary>
internal static class TrackerErrors
{
    public static TorrentPSException Typed(string trackerUrl, Exception error) => error switch
    {
        TorrentPSException typed => typed,
        TimeoutException => new TrackerFailedException(trackerUrl, "the request timed out", error),
        _ => new TrackerFailedException(trackerUrl, error.Message, error),
    };
}
