using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>One tracker, spoken to over HTTP(S) or UDP.</summary>
internal interface ITrackerClient : IDisposable
{
    string Url { get; }

    /// <summary>Announces; throws <see cref="TrackerFailedException"/> or <see cref="TrackerTimeoutException"/>.</summary>
    Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken);

    /// <summary>Scrapes the counts of one torrent; throws like <see cref="AnnounceAsync"/>.</summary>
    Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken);
}
