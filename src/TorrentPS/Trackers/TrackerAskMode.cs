using TorrentPS.Engine.Peers;
namespace TorrentPS.Trackers;

/// <summary>How a tracker cmdlet asks a torrent's trackers, which decides what its progress counts.</summary>
internal enum TrackerAskMode
{
    /// <summary>Get-TorrentPeer: every tier at once, within a tier one tracker after another until one answers (BEP 12).</summary>
    Discovery,

    /// <summary>Get-TorrentTracker: every tracker, each a scrape and, if that fails, an announce.</summary>
    Status,
}
