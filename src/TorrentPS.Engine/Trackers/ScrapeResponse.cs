namespace TorrentPS.Engine.Trackers;

/// <summary>A tracker's counts for one torrent.</summary>
internal sealed record ScrapeResponse(long Seeders, long Leechers, long Downloaded);
