using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Paths;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>
/// Start-TorrentDownload and Start-MagnetDownload: the parameters they share (<c>-Destination</c>, <c>-TimeoutSec</c>,
/// <c>-SeedRatio</c>, <c>-SeedTimeMinutes</c>, <c>-ListenPort</c>, the files to take and the order to take them in) and
/// the one thing they do with each torrent: a magnet link is downloaded through its metadata, a torrent at once, into
/// the destination folder.
/// </summary>
/// <remarks>
/// Files come as <c>-File</c> (wildcards or TorrentFile objects) and as TorrentFile objects piped in (<c>-TorrentFile</c>),
/// with the torrent given on the command line: <c>$t.Files | Where-Object Path -like '*.mkv' | Start-TorrentDownload -Torrent $t</c>.
/// Then the files of every record are gathered and the torrent downloaded once, when the input ends.
/// </remarks>
public abstract class DownloadCmdlet : TransferCmdlet
{
    private readonly List<string> _pipedFiles = [];
    private string _destination = string.Empty;
    private bool _filesPiped;

    /// <summary>The folder the single file or the top folder is made in; the current location by default.</summary>
    [Parameter(Position = 1)]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Give up after this many seconds without any progress; 0 waits until stopped.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; } = TransferSettings.DefaultTimeoutSec;

    /// <summary>Go on uploading after the download until uploaded ÷ length reaches this.</summary>
    [Parameter]
    [ValidateRange(0.0, 1000.0)]
    public double SeedRatio { get; set; }

    /// <summary>Go on uploading after the download for this many minutes.</summary>
    [Parameter]
    [ValidateRange(0.0, 5256000.0)]
    public double SeedTimeMinutes { get; set; }

    /// <summary>The port to listen for peers on (the next free one if taken).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int ListenPort { get; set; }

    /// <summary>Returns at once with a TorrentJob per torrent (Get-Job, Receive-Job, Wait-Job, Stop-Job, Suspend-Job, Resume-Job, Remove-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    private protected override bool AsJobRequested => AsJob;

    /// <summary>
    /// Only these files: paths inside the torrent with wildcards (<c>*.mkv</c>, <c>Season 1/*</c>), or TorrentFile objects
    /// (Get-TorrentInfo's Files). A path without wildcards must name a file of the torrent. Every file when not given.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [TorrentFilePattern]
    public string[] File { get; set; } = [];

    /// <summary>TorrentFile objects piped in (Get-TorrentInfo's Files): these files only, with the torrent on the command line.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public TorrentFile[] TorrentFile { get; set; } = [];

    /// <summary>Leave out the files matching these paths (wildcards), among those -File takes.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] ExcludeFile { get; set; } = [];

    /// <summary>Take the pieces in order (files of higher priority first), so a file's beginning is usable while the rest arrives.</summary>
    [Parameter]
    public SwitchParameter Sequential { get; set; }

    /// <summary>Take the first and last pieces of each file before the rest (a video's index often sits at either end).</summary>
    [Parameter]
    public SwitchParameter FirstAndLastPiecesFirst { get; set; }

    private protected override TransferSettings Settings => new()
    {
        TimeoutSec = TimeoutSec,
        SeedRatio = SeedRatio,
        SeedTimeMinutes = SeedTimeMinutes,
        ListenPort = ListenPort,
        Files = FileChoice.Of([.. File, .. _pipedFiles], ExcludeFile),
        Sequential = Sequential,
        FirstAndLastPiecesFirst = FirstAndLastPiecesFirst,
    };

    protected override void BeginProcessing()
    {
        _destination = FileSystemPathResolver.ResolveFolderOrTerminate(this, Destination);
        try
        {
            FileChoice.Of(File, ExcludeFile).Validate();
        }
        catch (TorrentPSException ex)
        {
            ThrowTerminatingError(TransferErrors.Create(ex, File.Concat(ExcludeFile).ToArray()));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        if (TorrentFile.Length > 0)
        {
            // Files piped for a torrent named on the command line: one download of all of them when the input ends.
            _filesPiped = true;
            _pipedFiles.AddRange(TorrentFile.Where(f => f is not null).Select(f => FileChoice.Literal(f.Path)));
            TorrentFile = [];
            return;
        }

        AddDownloads();
    }

    protected override void EndProcessing()
    {
        if (_filesPiped)
        {
            AddDownloads();
        }

        base.EndProcessing();
    }

    private void AddDownloads()
    {
        var files = FileChoice.Of([.. File, .. _pipedFiles], ExcludeFile);
        var which = files.IsEverything ? string.Empty : $" (files {files.Describe()})";
        foreach (var input in Inputs())
        {
            if (ShouldProcess(_destination, $"Download {input.Description}{which}"))
            {
                Add(input.Magnet is { } magnet ? new MagnetDownload(magnet, _destination) : new TorrentDownload(input, _destination));
            }
        }
    }

    /// <summary>This record's torrents and magnet links.</summary>
    private protected virtual List<TorrentInput> Inputs() => CollectInputs();
}
