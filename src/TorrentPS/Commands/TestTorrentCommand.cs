using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Paths;
using TorrentPS.Storage;

namespace TorrentPS.Commands;

/// <summary>
/// Test-Torrent: checks a torrent's data on disk against its piece hashes; <c>$true</c> when complete, <c>$false</c>
/// otherwise, or with -Detailed a <see cref="VerificationResult"/>.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Torrent", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool), typeof(VerificationResult))]
public sealed class TestTorrentCommand : AsyncCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string TorrentSet = "Torrent";

    private string _dataFolder = string.Empty;
    private List<TorrentCheckInput> _inputs = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>The folder that holds the single file or the multi-file torrent's top folder; the current location by default.</summary>
    [Parameter(Position = 1)]
    public string DataPath { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void BeginProcessing()
    {
        _dataFolder = FileSystemPathResolver.ResolveFolderOrTerminate(this, DataPath);
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        // Session state (path resolution) belongs to the pipeline thread; the check does not.
        _inputs = ParameterSetName == TorrentSet
            ? [TorrentCheckInput.ForTorrent(Torrent)]
            : FileSystemPathResolver.Resolve(this, ParameterSetName == LiteralPathSet ? LiteralPath : Path, ParameterSetName == LiteralPathSet, WriteError)
                .Select(TorrentCheckInput.ForPath)
                .ToList();
        base.ProcessRecord();
    }

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
        => new TorrentCheckRunner(_dataFolder, Detailed, new TorrentCheckOutput(WriteObject, WriteError, WriteVerbose, activity => StartProgress(activity, 0), WriteProgress))
            .RunAsync(_inputs, cancellationToken);
}
