using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// One immutable snapshot of a running torrent, made by its loop (a few times a second): everything a display needs,
/// so front ends only format it. The module turns it into progress records, the CLI into a line on stderr.
/// </summary>
public sealed record TorrentStatus
{
    public required string Name { get; init; }

    /// <summary>The info hash as 40 lowercase hex digits.</summary>
    public string InfoHash { get => Hash.Hex; init => Hash = Metainfo.InfoHash.Parse(value); }

    internal InfoHash Hash { get; init; } = null!;

    public required TorrentState State { get; init; }

    /// <summary>The torrent's length in bytes; 0 while a magnet's metadata is unknown.</summary>
    public long Length { get; init; }

    /// <summary>Bytes wanted in all (the torrent's length, or the one piece asked for); 0 until the check of the data on disk ends.</summary>
    public long TotalBytes { get; init; }

    /// <summary>Bytes of the wanted pieces verified so far.</summary>
    public long VerifiedBytes { get; init; }

    /// <summary>While checking: bytes of existing data hashed so far, of <see cref="Length"/>.</summary>
    public long CheckedBytes { get; init; }

    /// <summary>While checking: bytes hashed per second, over the last few seconds.</summary>
    public double CheckRate { get; init; }

    public int PieceCount { get; init; }

    public int VerifiedPieces { get; init; }

    /// <summary>Block bytes received in this run (duplicates and bad pieces included).</summary>
    public long Downloaded { get; init; }

    /// <summary>Block bytes sent in this run.</summary>
    public long Uploaded { get; init; }

    /// <summary>Bytes per second received, over the last few seconds.</summary>
    public double DownloadRate { get; init; }

    /// <summary>Bytes per second sent, over the last few seconds.</summary>
    public double UploadRate { get; init; }

    public int PeersConnected { get; init; }

    /// <summary>Addresses known (from trackers, the magnet link, the user), connected or not.</summary>
    public int PeersKnown { get; init; }

    /// <summary>New peer addresses each source gave so far: trackers, the DHT, peer exchange, local discovery.</summary>
    public PeerSourceCounts PeersFound { get; init; } = new();

    /// <summary>Connected peers that have everything.</summary>
    public int Seeds { get; init; }

    /// <summary>Peers with metadata to offer, while a magnet link's metadata is fetched.</summary>
    public int MetadataPeers { get; init; }

    /// <summary>
    /// The time to finish at the current rate: the check while checking, the download while downloading, the seed goal
    /// (ratio or time, whichever comes first) while seeding toward one, in seconds; null when unknown or when there is
    /// nothing to finish.
    /// </summary>
    public double? TimeRemaining { get => TimeRemainingSpan?.TotalSeconds; init => TimeRemainingSpan = value is { } s ? TimeSpan.FromSeconds(s) : null; }

    internal TimeSpan? TimeRemainingSpan { get; init; }

    /// <summary>While seeding toward a ratio or a time: how far, 0 to 100 (the nearer of the two); null without a goal.</summary>
    public double? SeedGoalPercent { get; init; }

    /// <summary>How long it has seeded in this run, in seconds.</summary>
    public double SeedingTime { get => SeedingTimeSpan.TotalSeconds; init => SeedingTimeSpan = TimeSpan.FromSeconds(value); }

    internal TimeSpan SeedingTimeSpan { get; init; }

    /// <summary>How long this run has lasted, in seconds.</summary>
    public double Elapsed { get => ElapsedSpan.TotalSeconds; init => ElapsedSpan = TimeSpan.FromSeconds(value); }

    internal TimeSpan ElapsedSpan { get; init; }

    /// <summary>Pieces that failed their hash in this run.</summary>
    public int HashFailures { get; init; }

    /// <summary>Trackers that answered the last announce, of those asked.</summary>
    public int TrackersWorking { get; init; }

    public int TrackerCount { get; init; }

    /// <summary>What went wrong most recently (a tracker or a peer), for a user wondering why nothing happens.</summary>
    public string? LastError { get; init; }

    /// <summary>Upload ÷ download for this torrent's content (uploaded ÷ length when we started complete).</summary>
    public double Ratio { get; init; }

    public double PercentComplete => TotalBytes <= 0 ? 0 : Math.Min(100, VerifiedBytes * 100.0 / TotalBytes);
}
