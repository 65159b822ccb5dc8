using System.Net;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Transfers;

/// <summary>
/// What the transfer cmdlets' shared parameters ask for (<c>-Peer</c>, <c>-TimeoutSec</c>, <c>-SeedRatio</c>,
/// <c>-SeedTimeMinutes</c>, <c>-ListenPort</c>), applied to the engine's transfer request. 0 means "not asked" for each number.
/// </summary>
internal sealed record TransferSettings
{
    /// <summary>
    /// <c>-TimeoutSec</c> of the cmdlets that download (Start-TorrentDownload, Start-MagnetDownload, Save-TorrentPiece,
    /// Get-TorrentInfo for a magnet link): give up after this many seconds in which nothing arrived; 0 waits until stopped.
    /// about_TorrentPS states the rule.
    /// </summary>
    public const int DefaultTimeoutSec = 60;

    /// <summary>Peers to connect to besides the trackers' (<c>-Peer</c>).</summary>
    public IReadOnlyList<IPEndPoint> Peers { get; init; } = [];

    /// <summary>Give up after this many seconds without progress; 0 waits until stopped.</summary>
    public int TimeoutSec { get; init; }

    /// <summary>Seed until uploaded ÷ length reaches this; 0 for no ratio goal.</summary>
    public double SeedRatio { get; init; }

    /// <summary>Seed for this many minutes; 0 for no time goal.</summary>
    public double SeedTimeMinutes { get; init; }

    /// <summary>The port asked for with <c>-ListenPort</c>; 0 when not given.</summary>
    public int ListenPort { get; init; }

    /// <summary>The files to download (<c>-File</c>, <c>-ExcludeFile</c>); every file when not given.</summary>
    public FileChoice Files { get; init; } = FileChoice.Everything;

    /// <summary>Pieces in order (<c>-Sequential</c>).</summary>
    public bool Sequential { get; init; }

    /// <summary>The first and last pieces of each file first (<c>-FirstAndLastPiecesFirst</c>).</summary>
    public bool FirstAndLastPiecesFirst { get; init; }

    /// <summary>Look for peers through the session's DHT too (false for <c>-NoDht</c>).</summary>
    public bool UseDht { get; init; } = true;

    public TimeSpan? NoProgressTimeout => TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null;

    public double? SeedRatioGoal => SeedRatio > 0 ? SeedRatio : null;

    public TimeSpan? SeedTimeGoal => SeedTimeMinutes > 0 ? TimeSpan.FromMinutes(SeedTimeMinutes) : null;

    /// <summary>A ratio or a time to seed for was given.</summary>
    public bool HasSeedGoal => SeedRatioGoal is not null || SeedTimeGoal is not null;

    /// <summary>
    /// <paramref name="request"/> with these settings: the peers added, the no-progress timeout, the seed goals (the
    /// engine lets a goal replace seeding until stopped), and the port asked for with <c>-ListenPort</c>.
    /// </summary>
    public TransferRequest Apply(TransferRequest request) => request with
    {
        Peers = [.. request.Peers, .. Peers],
        NoProgressTimeout = NoProgressTimeout ?? request.NoProgressTimeout,
        SeedRatio = SeedRatioGoal ?? request.SeedRatio,
        SeedTime = SeedTimeGoal ?? request.SeedTime,
        Listen = ListenPort > 0 ? new ListenSettings { Port = ListenPort } : request.Listen,
        FileChoice = request.Mode == TransferMode.Download ? Files : request.FileChoice,
        Sequential = Sequential || request.Sequential,
        FirstAndLastPiecesFirst = FirstAndLastPiecesFirst || request.FirstAndLastPiecesFirst,
        UseDht = UseDht && request.UseDht,
    };
}
