namespace TorrentPS.Engine.Trackers;

/// <summary>A tracker's counts for one torrent.</summary>
public sealed record ScrapeResponse(long Seeders, long Leechers, long Downloaded);
