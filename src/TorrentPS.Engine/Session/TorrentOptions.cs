using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Session;

/// <summary>How one torrent runs. The session fills in its identity; callers set the rest.</summary>
internal sealed record TorrentOptions
{
    /// <summary>The torrent's data once its metadata is known (at once for a .torrent; after the fetch for a magnet).</summary>
    public required Func<TorrentInfo, ITorrentData> Data { get; init; }

    /// <summary>Only these pieces are downloaded (e.g. one piece for <c>Save-TorrentPiece</c>); null for all.</summary>
    public Func<TorrentInfo, Bitfield>? WantedPieces { get; init; }

    /// <summary>
    /// Fetch new pieces in order (by the files' priorities, then by index) instead of rarest first, within a window that
    /// keeps every peer's pipeline full, so the files' prefix grows in order (a media file can be previewed while it arrives).
    /// </summary>
    public bool Sequential { get; init; }

    /// <summary>The first and last pieces of each chosen file before the rest of its priority (previews: containers keep their index at either end).</summary>
    public bool FirstAndLastPiecesFirst { get; init; }

    /// <summary>Peers to connect to besides those the trackers name.</summary>
    public IReadOnlyList<IPEndPoint> Peers { get; init; } = [];

    /// <summary>Ask the torrent's trackers for peers.</summary>
    public bool UseTrackers { get; init; } = true;

    /// <summary>Exchange peer lists with peers (BEP 11 ut_pex); never for a private torrent (BEP 27).</summary>
    public bool UsePeerExchange { get; init; } = true;

    /// <summary>Look for peers through the session's DHT node (a public torrent; the session must run one).</summary>
    public bool UseDht { get; init; } = true;

    /// <summary>Announce the torrent on the local network and take the peers heard there (a public torrent; the session must run local discovery).</summary>
    public bool UseLocalDiscovery { get; init; } = true;

    /// <summary>Connections this torrent keeps at most.</summary>
    public int MaxConnections { get; init; } = 50;

    /// <summary>Dials in progress at most.</summary>
    public int MaxHalfOpen { get; init; } = 8;

    /// <summary>Give up when nothing was downloaded for this long (while peers were sought); null waits until stopped.</summary>
    public TimeSpan? NoProgressTimeout { get; init; }

    /// <summary>How often progress is saved while downloading.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A peer that delivers none of the requested blocks for this long is snubbed and its requests go elsewhere.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The longest to wait for connections to close and trackers to hear <c>stopped</c> when stopping.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// The most bytes held in pieces in progress (the download's memory). The default feeds 8 peers at full depth
    /// (256 requests of 16 KiB each, spread over the pieces they fall in); a peer that finds no room waits for a piece to finish.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Connect from this local address (tests bind one 127.0.0.x per client); any when null.</summary>
    public IPAddress? LocalAddress { get; init; }

    public TrackerOptions Trackers { get; init; } = TrackerOptions.Default;

    /// <summary>Keep uploading after the download completes until the share ratio reaches this (uploaded ÷ length).</summary>
    public double? SeedRatio { get; init; }

    /// <summary>Keep uploading after the download completes for this long.</summary>
    public TimeSpan? SeedTime { get; init; }

    /// <summary>Seed until stopped (for <c>Start-TorrentSeed</c> without limits).</summary>
    public bool SeedUntilStopped { get; init; }

    /// <summary>This torrent's upload limit in bytes per second (0: only the session's).</summary>
    public long UploadRateLimit { get; init; }

    /// <summary>This torrent's download limit in bytes per second (0: only the session's).</summary>
    public long DownloadRateLimit { get; init; }

    /// <summary>Download what is missing (false: only serve what the check finds, as <c>Start-TorrentSeed</c> does).</summary>
    public bool DownloadMissing { get; init; } = true;

    /// <summary>With <see cref="DownloadMissing"/> off, serve incomplete data too (else the torrent fails with <c>IncompleteData</c>).</summary>
    public bool AllowPartial { get; init; }

    /// <summary>Regular unchoke slots (BEP 3's choker); one optimistic slot comes on top.</summary>
    public int UploadSlots { get; init; } = Swarm.Choker.DefaultSlots;

    /// <summary>
    /// Handshake with reserved bytes <c>00 00 00 00 00 10 00 00</c>: the extension protocol (BEP 10) only, no fast
    /// extension (BEP 6) and no DHT bit. Off for real transfers; on for the challenge's verbs in <c>tps</c>, whose test peers
    /// refuse any other reserved bytes.
    /// </summary>
    public bool ExtensionProtocolOnly { get; init; }

    /// <summary>
    /// A connection of no use to either side (it has nothing we want and wants nothing of ours, or holds an upload slot
    /// and takes nothing) that said nothing but keep-alives for this long is closed, so idle peers do not hold slots for ever.
    /// </summary>
    public TimeSpan IdlePeerTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// When every connection slot is taken, a new peer takes the place of the least useful idle connection; a connection
    /// younger than this (still to say what it wants) is never the one dropped.
    /// </summary>
    public TimeSpan PeerTrialPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeouts of the handshake and of a started message.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest a peer may take to finish a message it started; twice this to take what we send (a peer that never reads is dropped).</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Options that download into <paramref name="folder"/>: the single file, or the multi-file torrent's top folder, is
    /// created inside it (<c>-Destination</c>); resume data in its <c>.torrentps</c> folder. <paramref name="files"/>
    /// chooses the files once the torrent is known (null keeps the choice the resume data recorded, every file without one).
    /// </summary>
    public static TorrentOptions InFolder(string folder, ILoggerFactory? loggers = null, FileChoice? files = null)
        => new() { Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, folder), loggers, selection: files?.Resolve(info)) };

    /// <summary>
    /// Options that download to <paramref name="path"/>: the file itself for a single-file torrent, the folder that
    /// receives the files of a multi-file one (<c>tps download -o</c>); <paramref name="files"/> as for <see cref="InFolder"/>.
    /// </summary>
    public static TorrentOptions AtPath(string path, ILoggerFactory? loggers = null, FileChoice? files = null)
        => new() { Data = info => new FileTorrentData(info, ContentLocation.AtPath(info, path), loggers, selection: files?.Resolve(info)) };

    /// <summary>Options that download only the pieces of <paramref name="files"/>, each verified into its file.</summary>
    public static TorrentOptions Pieces(IReadOnlyDictionary<int, string> files)
        => new() { Data = info => new PieceFilesData(info, files), WantedPieces = info => new PieceFilesData(info, files).WantedPieces };

    /// <summary>Options that fetch a magnet link's metadata and nothing else: the torrent completes when it arrives, with its run's <c>Info</c> set.</summary>
    public static TorrentOptions MetadataOnly()
        => new() { Data = info => new MetadataOnlyData(info), WantedPieces = info => new Bitfield(info.PieceCount) };

    /// <summary>
    /// Options that serve data already in <paramref name="folder"/> (as <c>-DataPath</c> means: the folder holding the
    /// single file or the top folder) and download nothing; the files are opened read-only. Seeds until stopped.
    /// </summary>
    public static TorrentOptions SeedFrom(string folder, bool allowPartial = false, ILoggerFactory? loggers = null)
        => new()
        {
            Data = info => new FileTorrentData(info, ContentLocation.InFolder(info, folder), loggers, readOnly: true),
            DownloadMissing = false,
            AllowPartial = allowPartial,
            SeedUntilStopped = true,
        };

    /// <summary>Whether the options ask to seed after the download completes.</summary>
    public bool SeedsAfterDownload => SeedUntilStopped || SeedRatio is > 0 || SeedTime is { } t && t > TimeSpan.Zero;
}
