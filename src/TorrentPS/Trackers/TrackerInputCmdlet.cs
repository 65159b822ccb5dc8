using System.Management.Automation;
using Microsoft.Extensions.Logging;
using TorrentPS.Bridge;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;
using TorrentPS.Torrents;

namespace TorrentPS.Trackers;

/// <summary>
/// The inputs Get-TorrentPeer and Get-TorrentTracker share: a TorrentInfo, .torrent paths (wildcards or literal,
/// through the file-system provider) or magnet links; -Tracker to ask only given trackers; -TimeoutSec.
/// Paths are resolved on the pipeline thread, then the work runs through the async bridge.
/// </summary>
public abstract class TrackerInputCmdlet : AsyncCmdlet
{
    internal const string TorrentSet = "Torrent";
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";
    internal const string MagnetSet = "MagnetLink";

    private IReadOnlyList<TrackerInput> _inputs = [];

    /// <summary>A torrent from Get-TorrentInfo.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>
    /// Paths of .torrent files; wildcards allowed. A magnet link given here (or piped as text) is taken as one,
    /// so <c>'x.torrent' | Get-TorrentPeer</c> and <c>'magnet:?…' | Get-TorrentPeer</c> both work.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// Paths of .torrent files, used exactly as written. Binds the <c>SourcePath</c> of a TorrentInfo that came back
    /// through Import-Clixml, a job or a CSV file, so it is read again.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>
    /// The info hash the torrent at -LiteralPath must have (a piped TorrentInfo's InfoHash): a changed file is an error; or
    /// the magnet links must name (a piped MagnetLink binds -MagnetLink by its Uri and -InfoHash by its InfoHash at once).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [ArgumentCompleter(typeof(Completion.InfoHashCompleter))]
    public string? InfoHash { get; set; }

    /// <summary>Magnet links, as text or MagnetLink objects (bound by their Uri property; piped text goes to -Path, which takes magnet links too).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [Alias("Uri")]
    [ValidateNotNullOrEmpty]
    public string[] MagnetLink { get; set; } = [];

    /// <summary>Ask only these trackers (http, https or udp URLs) instead of the torrent's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TrackerCompleter))]
    public string[] Tracker { get; set; } = [];

    /// <summary>The longest one tracker request may take, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = TrackerCommandRunner.DefaultTimeoutSec;

    protected IReadOnlyList<string>? TrackerOverride => Tracker.Length > 0 ? Tracker : null;

    protected override void ProcessRecord()
    {
        _inputs = CollectInputs();
        base.ProcessRecord();
    }

    protected sealed override Task ProcessRecordAsync(CancellationToken cancellationToken) => RunAsync(_inputs, cancellationToken);

    /// <summary>The one engine call of the cmdlet, over this record's inputs.</summary>
    private protected abstract Task RunAsync(IReadOnlyList<TrackerInput> inputs, CancellationToken cancellationToken);

    /// <summary>The runner for this record: session options with -TimeoutSec, writes queued to the pipeline, engine logs to the streams.</summary>
    private protected TrackerCommandRunner CreateRunner()
        => new(TrackerCommandRunner.Options(TimeoutSec), new TrackerCommandOutput(WriteObject, WriteError, WriteWarning, WriteVerbose, (activity, unit) => StartProgress(activity, 0, unit: unit), WriteProgress), LoggerFactory.CreateLogger("TorrentPS.Trackers"));

    private List<TrackerInput> CollectInputs()
    {
        var inputs = new List<TrackerInput>();
        switch (ParameterSetName)
        {
            case TorrentSet:
                inputs.Add(TrackerInput.ForTorrent(Torrent));
                break;
            case MagnetSet:
                foreach (var link in MagnetLink)
                {
                    try
                    {
                        if (TorrentReference.ParseExpected(InfoHash) is { } expected)
                        {
                            TorrentReference.CheckLink(Engine.Metainfo.MagnetLink.Parse(link ?? string.Empty), expected);
                        }

                        inputs.Add(TrackerInput.ForMagnet(link ?? string.Empty));
                    }
                    catch (Engine.Errors.TorrentPSException ex)
                    {
                        WriteError(ex, link);
                    }
                }

                break;
            case LiteralPathSet:
                try
                {
                    AddFiles(inputs, LiteralPath, literal: true, TorrentReference.ParseExpected(InfoHash));
                }
                catch (Engine.Errors.TorrentPSException ex)
                {
                    WriteError(ex, InfoHash);
                }

                break;
            default:
                var paths = new List<string>();
                foreach (var path in Path)
                {
                    if (TrackerInput.LooksLikeMagnet(path))
                    {
                        inputs.Add(TrackerInput.ForMagnet(path));
                    }
                    else
                    {
                        paths.Add(path);
                    }
                }

                AddFiles(inputs, paths, literal: false);
                break;
        }

        return inputs;
    }

    /// <summary>Resolves paths the way Get-TorrentInfo does (one resolver, the same error ids); each bad path is a non-terminating error.</summary>
    private void AddFiles(List<TrackerInput> inputs, IEnumerable<string> paths, bool literal, InfoHash? expectedInfoHash = null)
    {
        foreach (var file in FileSystemPathResolver.Resolve(this, paths, literal, WriteError))
        {
            inputs.Add(TrackerInput.ForPath(file, expectedInfoHash));
        }
    }
}
