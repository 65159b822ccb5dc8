using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Paths;
using TorrentPS.Torrents;
using TorrentPS.Trackers;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Get-TorrentInfo: reads .torrent files into <see cref="TorrentInfo"/> objects; for magnet links (-MagnetLink, or magnet
/// text given as -Path) fetches the metadata from peers, and nothing else.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentInfo", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentInfo))]
public sealed class GetTorrentInfoCommand : AsyncCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string MagnetSet = "MagnetLink";

    private List<string> _files = [];
    private List<Transfer> _magnets = [];
    private TransferSettings? _settings;

    /// <summary>Paths of .torrent files (wildcards allowed); magnet links given here are fetched as with -MagnetLink.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Magnet links whose metadata to fetch from peers: text, or MagnetLink objects (bound by their Uri property).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [Alias("Uri")]
    [AllowEmptyString]
    public string[] MagnetLink { get; set; } = [];

    /// <summary>Peers to ask for a magnet link's metadata besides those its trackers and x.pe name.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = MagnetSet)]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>Give up fetching a magnet link's metadata after this many seconds without progress.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = MagnetSet)]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 60;

    protected override void ProcessRecord()
    {
        // Session state (path resolution) belongs to the pipeline thread; reading the files does not.
        var links = ParameterSetName == MagnetSet ? MagnetLink : ParameterSetName == PathSet ? Path.Where(TrackerInput.LooksLikeMagnet).ToArray() : [];
        var paths = ParameterSetName switch
        {
            LiteralPathSet => LiteralPath,
            PathSet => Path.Where(p => !TrackerInput.LooksLikeMagnet(p)).ToArray(),
            _ => [],
        };
        _files = FileSystemPathResolver.Resolve(this, paths, ParameterSetName == LiteralPathSet, WriteError);
        _magnets = [];
        foreach (var link in links)
        {
            try
            {
                _magnets.Add(new MetadataFetch(Engine.Metainfo.MagnetLink.Parse(link ?? string.Empty)));
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, link);
            }
        }

        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var file in _files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var torrent = await TorrentInfo.LoadAsync(file, cancellationToken).ConfigureAwait(false);
                WriteVerbose(TorrentNarration.Read(torrent, file));
                WriteObject(torrent);
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                WriteError(ex, file);
            }
        }

        if (_magnets.Count > 0)
        {
            _settings ??= new TransferSettings { TimeoutSec = TimeoutSec, Peers = await PeerAddresses.ResolveAllAsync(Peer, cancellationToken).ConfigureAwait(false) };
            var output = new TransferOutput(WriteObject, (error, target) => WriteError(TransferErrors.Create(error, target)), WriteVerbose, (activity, total, parent) => StartProgress(activity, total, parent), WriteProgress);
            await new TransferRunner(new TransferContext(TorrentSession.Shared, _settings, LoggerFactory), output).RunAsync(_magnets, cancellationToken).ConfigureAwait(false);
        }
    }
}
