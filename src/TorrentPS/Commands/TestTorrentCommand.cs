using System.Management.Automation;
using TorrentPS.Engine.Storage;
using TorrentPS.Paths;
using TorrentPS.Storage;
using TorrentPS.Torrents;

namespace TorrentPS.Commands;

/// <summary>
/// Test-Torrent: checks a torrent's data on disk against its piece hashes; <c>$true</c> when complete, <c>$false</c>
/// otherwise, or with -Detailed a <see cref="VerificationResult"/>. A -DataPath that does not exist is an error, one that
/// looks like the torrent's own top folder a warning; several torrents answered with plain booleans are named in a warning
/// at the end. A DownloadResult piped in binds by its SourcePath, InfoHash and DataPath. The files checked are those
/// -File names, else those the download chose, else all; the others are absent by choice (Skipped).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Torrent", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool), typeof(VerificationResult))]
public sealed class TestTorrentCommand : TorrentInputCmdlet
{
    private readonly List<(string Name, bool IsComplete)> _answers = [];
    private string _dataFolder = string.Empty;
    private List<TorrentInput> _inputs = [];

    /// <summary>
    /// The folder that holds the single file or the multi-file torrent's top folder; the current location by default.
    /// Binds a piped object's DataPath (a DownloadResult's) in the LiteralPath set.
    /// </summary>
    [Parameter(Position = 1, ParameterSetName = PathSet)]
    [Parameter(Position = 1, ParameterSetName = TorrentSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    public string DataPath { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <summary>
    /// Check only these files: paths inside the torrent with wildcards, or TorrentFile objects. The others are absent by
    /// choice (Skipped). Without it, the files the download chose (its resume data says which), else every file.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [TorrentFilePattern]
    public string[] File { get; set; } = [];

    protected override void ProcessRecord()
    {
        // Session state (path resolution) belongs to the pipeline thread; the check does not. -DataPath may come with
        // each piped object, so it is resolved for each record.
        _dataFolder = FileSystemPathResolver.ResolveFolderOrTerminate(this, DataPath);
        _inputs = CollectInputs();
        base.ProcessRecord();
    }

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
        => new TorrentCheckRunner(_dataFolder, Detailed, new TorrentCheckOutput(WriteObject, WriteError, WriteVerbose, activity => StartProgress(activity, 0), WriteProgress, WriteWarning, _answers.Add), files: FileChoice.Of(File))
            .RunAsync(_inputs, cancellationToken);

    protected override void EndProcessing()
    {
        if (!Detailed && TorrentCheckRunner.ManyAnswers(_answers) is { } named)
        {
            WriteWarning(named);
        }

        base.EndProcessing();
    }
}
