namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The limits one connection obeys: its torrent's and its session's upload and download rates, taken together. The
/// writer thread waits before sending blocks, the reading thread before reading more (TCP then slows the peer).
/// </summary>
internal sealed record TransferLimits(TokenBucket? TorrentUpload, TokenBucket? SessionUpload, TokenBucket? TorrentDownload, TokenBucket? SessionDownload)
{
    public static TransferLimits None { get; } = new(null, null, null, null);

    public TimeSpan TakeUpload(int bytes) => TokenBucket.Take(TorrentUpload, SessionUpload, bytes);

    public TimeSpan TakeDownload(int bytes) => TokenBucket.Take(TorrentDownload, SessionDownload, bytes);

    public bool LimitsDownload => TorrentDownload?.IsLimited == true || SessionDownload?.IsLimited == true;

    public bool LimitsUpload => TorrentUpload?.IsLimited == true || SessionUpload?.IsLimited == true;
}
