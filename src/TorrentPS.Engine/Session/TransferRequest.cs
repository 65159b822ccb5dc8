using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Session;

/// <summary>
/// What a user asks the session to do with one torrent, whichever front end asked (<c>Start-TorrentDownload</c>,
/// <c>Start-MagnetDownload</c>, <c>Start-TorrentSeed</c>, <c>Save-TorrentPiece</c>, <c>tps download</c> …): the torrent or
/// the magnet link, where its data goes and how it is laid out there, peers to try, when to give up, how long to seed,
/// the rate limits, and where its resume data lives. The session turns it into the run's <see cref="TorrentOptions"/>
/// (<see cref="ToOptions"/>, the one place that decision is made) and saves it in its state folder, so a torrent resumed
/// in a later process runs as it was asked to. Immutable.
/// </summary>
public sealed record TransferRequest
{
    /// <summary>The torrent, when its metadata is known (a .torrent, or a magnet link whose metadata arrived).</summary>
    public TorrentInfo? Torrent { get; init; }

    /// <summary>The magnet link, when the torrent came as one (its metadata then comes from peers or from resume data).</summary>
    public MagnetLink? Magnet { get; init; }

    /// <summary>What the run does: download (and seed toward a goal), serve existing data, fetch pieces, or fetch metadata.</summary>
    public TransferMode Mode { get; init; } = TransferMode.Download;

    /// <summary>
    /// Where the data is: with <see cref="ContentLayout.InFolder"/> the folder that holds the single file or the top
    /// folder (<c>-Destination</c>, <c>-DataPath</c>); with <see cref="ContentLayout.AtPath"/> the file itself or the folder
    /// that receives the files (<c>tps download -o</c>). Unused by <see cref="TransferMode.Pieces"/> and
    /// <see cref="TransferMode.Metadata"/>.
    /// </summary>
    public string Destination { get; init; } = string.Empty;

    public ContentLayout Layout { get; init; } = ContentLayout.InFolder;

    /// <summary><see cref="TransferMode.Pieces"/>: piece index → the file that receives that piece's bytes, verified.</summary>
    public IReadOnlyDictionary<int, string> PieceFiles { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<int, string>.Empty;

    /// <summary>
    /// <see cref="TransferMode.Download"/>: which files to download and how urgently (one priority per file of the torrent);
    /// null keeps the selection the resume data recorded, every file when there is none.
    /// </summary>
    public FileSelection? Files { get; init; }

    /// <summary>
    /// <see cref="TransferMode.Download"/>: the files asked for by path (wildcards), resolved once the torrent is known
    /// (a magnet link's metadata comes later); <see cref="Files"/> wins when both are given. Null: as <see cref="Files"/> says.
    /// </summary>
    public FileChoice? FileChoice { get; init; }

    /// <summary>Fetch pieces in order (files' priorities first, then index) instead of rarest first, so the files' prefix grows in order.</summary>
    public bool Sequential { get; init; }

    /// <summary>Each chosen file's first and last pieces before the rest of its priority (previews).</summary>
    public bool FirstAndLastPiecesFirst { get; init; }

    /// <summary><see cref="TransferMode.Seed"/>: serve the valid pieces of incomplete data instead of failing.</summary>
    public bool AllowPartial { get; init; }

    /// <summary>Peers to connect to besides those the trackers (and the magnet link) name.</summary>
    public IReadOnlyList<IPEndPoint> Peers { get; init; } = [];

    /// <summary>Give up when nothing arrived for this long; null waits until stopped.</summary>
    public TimeSpan? NoProgressTimeout { get; init; }

    /// <summary>Seed after the download until uploaded ÷ length reaches this.</summary>
    public double? SeedRatio { get; init; }

    /// <summary>Seed after the download for this long.</summary>
    public TimeSpan? SeedTime { get; init; }

    /// <summary>Seed until stopped (<see cref="TransferMode.Seed"/> without a goal). A ratio or time goal wins over it.</summary>
    public bool SeedUntilStopped { get; init; }

    /// <summary>This torrent's upload limit in bytes per second; 0 for only the session's.</summary>
    public long UploadRateLimit { get; init; }

    /// <summary>This torrent's download limit in bytes per second; 0 for only the session's.</summary>
    public long DownloadRateLimit { get; init; }

    /// <summary>
    /// Where the session listens when this request starts it listening (its first torrent): <c>-ListenPort</c>,
    /// <c>tps --port/--bind</c>. Null for the session's own setting. A session already listening keeps its port (one port
    /// serves every torrent): compare <see cref="TorrentSession.ListenEndPoint"/> afterwards.
    /// </summary>
    public ListenSettings? Listen { get; init; }

    /// <summary>
    /// Keep the resume data in the session's state folder (a torrent started in the background) rather than in
    /// <c>.torrentps</c> beside the data (the foreground commands, so the same command continues later).
    /// </summary>
    public bool ResumeInStateFolder { get; init; }

    /// <summary>Ask the torrent's trackers for peers.</summary>
    public bool UseTrackers { get; init; } = true;

    /// <summary>Exchange peer lists with peers (BEP 11 ut_pex); never for a private torrent (BEP 27).</summary>
    public bool UsePeerExchange { get; init; } = true;

    /// <summary>Look for peers through the session's DHT (a public torrent); false for <c>-NoDht</c>/<c>--no-dht</c>.</summary>
    public bool UseDht { get; init; } = true;

    /// <summary>
    /// Handshake offering the extension protocol (BEP 10) only: no fast extension, no DHT bit, no ut_pex (the challenge's
    /// verbs in <c>tps</c>, whose test peers refuse anything else).
    /// </summary>
    public bool ExtensionProtocolOnly { get; init; }

    /// <summary>Connect from this local address (tests bind one 127.0.0.x per client); any when null.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The info hash of the torrent or the magnet link.</summary>
    public InfoHash InfoHash => Torrent?.Hash ?? Magnet?.Hash ?? throw new InvalidOperationException("A transfer request names a torrent or a magnet link.");

    /// <summary>The torrent's name, else the magnet link's display name, else its info hash.</summary>
    public string Name => Torrent?.Name ?? (string.IsNullOrWhiteSpace(Magnet?.DisplayName) ? InfoHash.Hex : Magnet!.DisplayName!);

    /// <summary>Whether the session keeps the torrent after its run ends (downloads and seeds; not a piece or a metadata fetch).</summary>
    public bool IsKept => Mode is TransferMode.Download or TransferMode.Seed;

    /// <summary>A ratio or a time to seed for was given.</summary>
    public bool HasSeedGoal => SeedRatio is > 0 || SeedTime is { } t && t > TimeSpan.Zero;

    /// <summary>A download of <paramref name="torrent"/> into <paramref name="folder"/> (the file or top folder made inside it).</summary>
    public static TransferRequest Download(TorrentInfo torrent, string folder)
        => new() { Torrent = torrent ?? throw new ArgumentNullException(nameof(torrent)), Destination = folder };

    /// <summary>A download of <paramref name="magnet"/> into <paramref name="folder"/>: its metadata first.</summary>
    public static TransferRequest Download(MagnetLink magnet, string folder)
        => new() { Magnet = magnet ?? throw new ArgumentNullException(nameof(magnet)), Destination = folder };

    /// <summary>Serving the data of <paramref name="torrent"/> already in <paramref name="folder"/>, until stopped unless a goal is set.</summary>
    public static TransferRequest Seed(TorrentInfo torrent, string folder, bool allowPartial = false)
        => new() { Torrent = torrent ?? throw new ArgumentNullException(nameof(torrent)), Destination = folder, Mode = TransferMode.Seed, AllowPartial = allowPartial, SeedUntilStopped = true };

    /// <summary>The pieces of <paramref name="files"/> (index → file), each verified into its file.</summary>
    public static TransferRequest Pieces(TorrentInfo torrent, IReadOnlyDictionary<int, string> files)
        => new() { Torrent = torrent ?? throw new ArgumentNullException(nameof(torrent)), Mode = TransferMode.Pieces, PieceFiles = files };

    /// <summary>The pieces of <paramref name="files"/> of a magnet link's torrent, its metadata first.</summary>
    public static TransferRequest Pieces(MagnetLink magnet, IReadOnlyDictionary<int, string> files)
        => new() { Magnet = magnet ?? throw new ArgumentNullException(nameof(magnet)), Mode = TransferMode.Pieces, PieceFiles = files };

    /// <summary>A magnet link's metadata and nothing else: the torrent completes when it arrives.</summary>
    public static TransferRequest Metadata(MagnetLink magnet)
        => new() { Magnet = magnet ?? throw new ArgumentNullException(nameof(magnet)), Mode = TransferMode.Metadata };

    /// <summary>
    /// The content's path (the single file, or the folder of a multi-file torrent) once the metadata is known; null for a
    /// piece or metadata fetch, or a magnet link whose metadata is not known yet.
    /// </summary>
    public string? ContentPathFor(TorrentInfo? info)
    {
        info ??= Torrent;
        if (info is null || !IsKept || string.IsNullOrEmpty(Destination))
        {
            return null;
        }

        return Location(info, null).ContentPath;
    }

    /// <summary>
    /// Where the resume data of this request lives, from the info hash alone (a magnet link's metadata may be in it):
    /// in <paramref name="stateResumeFolder"/> when <see cref="ResumeInStateFolder"/>, else beside the data. Null for a
    /// piece or metadata fetch.
    /// </summary>
    public string? ResumePath(string? stateResumeFolder)
    {
        if (!IsKept || string.IsNullOrEmpty(Destination))
        {
            return null;
        }

        if (ResumeInStateFolder && stateResumeFolder is not null)
        {
            return ContentLocation.GetResumePath(stateResumeFolder, InfoHash);
        }

        return Layout == ContentLayout.AtPath
            ? ContentLocation.GetDefaultResumePathAtPath(Destination, InfoHash)
            : ContentLocation.GetDefaultResumePathInFolder(Destination, InfoHash);
    }

    /// <summary>
    /// The run's options: this request's data, peers, goals and limits over <paramref name="defaults"/> (the session's
    /// per-torrent defaults, such as its connection bound). The one place a request becomes how a run behaves.
    /// </summary>
    /// <param name="stateResumeFolder">The session's folder of resume data; null when it keeps no state.</param>
    /// <exception cref="TorrentPSException"><c>InvalidTransferRequest</c>: a download or seed without a destination, pieces without files.</exception>
    internal TorrentOptions ToOptions(string? stateResumeFolder, ILoggerFactory? loggers, TorrentOptions? defaults = null)
    {
        var resumeFolder = ResumeInStateFolder ? stateResumeFolder : null;
        var data = Mode switch
        {
            TransferMode.Download => RequireDestination() is var folder && Layout == ContentLayout.AtPath
                ? new TorrentOptions { Data = info => new FileTorrentData(info, ContentLocation.AtPath(info, folder, resumeFolder), loggers, selection: SelectionFor(info)) }
                : new TorrentOptions { Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, folder, resumeFolder), loggers, selection: SelectionFor(info)) },
            TransferMode.Seed => new TorrentOptions
            {
                Data = info => new FileTorrentData(info, Location(info, resumeFolder), loggers, readOnly: true),
                DownloadMissing = false,
                AllowPartial = AllowPartial,
            },
            TransferMode.Pieces => PieceOptions(),
            TransferMode.Metadata => TorrentOptions.MetadataOnly(),
            _ => throw new ArgumentOutOfRangeException(nameof(Mode), Mode, null),
        };

        var baseline = defaults ?? new TorrentOptions { Data = data.Data };
        var magnetPeers = Torrent is null && Magnet is not null ? Magnet.PeerEndPoints : [];
        return baseline with
        {
            Data = data.Data,
            WantedPieces = data.WantedPieces,
            DownloadMissing = data.DownloadMissing,
            AllowPartial = data.AllowPartial,
            Peers = [.. Peers, .. magnetPeers],
            UseTrackers = UseTrackers,
            UsePeerExchange = UsePeerExchange,
            UseDht = UseDht,
            ExtensionProtocolOnly = ExtensionProtocolOnly,
            LocalAddress = LocalAddress ?? baseline.LocalAddress,
            NoProgressTimeout = NoProgressTimeout,
            SeedRatio = SeedRatio,
            SeedTime = SeedTime,
            SeedUntilStopped = SeedUntilStopped && !HasSeedGoal,
            Sequential = Sequential,
            FirstAndLastPiecesFirst = FirstAndLastPiecesFirst,
            UploadRateLimit = UploadRateLimit,
            DownloadRateLimit = DownloadRateLimit,
        };
    }

    /// <summary>The files a download of <paramref name="info"/> takes: <see cref="Files"/>, else <see cref="FileChoice"/> resolved; null keeps the resume data's choice.</summary>
    internal FileSelection? SelectionFor(TorrentInfo info) => Files ?? FileChoice?.Resolve(info);

    private ContentLocation Location(TorrentInfo info, string? resumeFolder) => Layout == ContentLayout.AtPath
        ? ContentLocation.AtPath(info, Destination, resumeFolder)
        : ContentLocation.InFolder(info, Destination, resumeFolder);

    private string RequireDestination() => string.IsNullOrEmpty(Destination)
        ? throw new TorrentPSException("InvalidTransferRequest", TorrentErrorKind.InvalidArgument, $"A {Mode.ToString().ToLowerInvariant()} of {Name} needs a destination.")
        : Destination;

    private TorrentOptions PieceOptions() => PieceFiles.Count == 0
        ? throw new TorrentPSException("InvalidTransferRequest", TorrentErrorKind.InvalidArgument, $"A piece fetch of {Name} names no piece.")
        : TorrentOptions.Pieces(PieceFiles);
}
