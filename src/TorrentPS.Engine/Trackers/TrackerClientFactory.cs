namespace TorrentPS.Engine.Trackers;

/// <summary>Makes the client a tracker URL's scheme calls for.</summary>
internal static class TrackerClientFactory
{
    /// <summary>
    /// An HTTP(S) or UDP client for <paramref name="url"/>; throws <see cref="UnsupportedTrackerException"/> for any
    /// other scheme. HTTP clients share <paramref name="http"/> when given.
    /// </summary>
    public static ITrackerClient Create(string url, TrackerOptions options, HttpClient? http = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new UnsupportedTrackerException(url, "it is not an absolute URL");
        }

        return uri.Scheme switch
        {
            "http" or "https" => new HttpTrackerClient(url, http, options),
            "udp" => new UdpTrackerClient(url, options),
            _ => throw new UnsupportedTrackerException(url, $"the scheme '{uri.Scheme}' is not http, https or udp"),
        };
    }
}
