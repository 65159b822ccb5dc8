using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// One torrent as the state folder keeps it: what was asked (with the metadata once known), the state it was left in,
/// when it was added, the totals of its runs, and how far it got (so a new process lists it with its progress before
/// any run).
/// </summary>
internal sealed record SavedTorrent(
    TransferRequest Request,
    TorrentState State,
    DateTimeOffset AddedAt,
    long Downloaded,
    long Uploaded,
    long VerifiedBytes,
    long TotalBytes,
    string? Error);
