using System.Management.Automation;
using Microsoft.Extensions.Logging;
using TorrentPS.Bridge;
using TorrentPS.Creation;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;

namespace TorrentPS.Commands;

/// <summary>
/// New-Torrent: makes a torrent of a file or a folder (v1, or BEP 52 hybrid), writes it to -Destination when given
/// (ShouldProcess; -Force to replace a file), and outputs the <see cref="TorrentInfo"/>, so it pipes into Export-Torrent,
/// Start-TorrentSeed and the rest. Hashing runs on every core with progress; Ctrl+C stops it and writes nothing.
/// </summary>
[Cmdlet(VerbsCommon.New, "Torrent", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(TorrentInfo))]
public sealed class NewTorrentCommand : AsyncCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private string _content = string.Empty;
    private string? _destination;

    /// <summary>The file or folder to share; a wildcard must match exactly one item.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The file or folder to share, used exactly as written; binds PSPath (Get-Item, Get-ChildItem).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>The .torrent file to write, or a folder to write <c>&lt;Name&gt;.torrent</c> in; none writes nothing.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Tracker URLs: each string is a tier of its own; an array in the list is one tier of several trackers.</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[][] Tracker { get; set; } = [];

    /// <summary>BEP 19 web seeds (<c>url-list</c>).</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[] WebSeed { get; set; } = [];

    /// <summary>BEP 27: peers only from the trackers.</summary>
    [Parameter]
    public SwitchParameter Private { get; set; }

    [Parameter]
    public string? Comment { get; set; }

    /// <summary><c>source</c> in the info dictionary (changes the info hash).</summary>
    [Parameter]
    public string? Source { get; set; }

    /// <summary><c>created by</c>: <c>TorrentPS &lt;version&gt;</c> by default; an empty string writes none.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? CreatedBy { get; set; }

    /// <summary>Bytes per piece, a power of two from 16 KiB to 256 MiB; chosen from the content's size by default.</summary>
    [Parameter]
    [ValidateRange(16384, 268435456)]
    public int PieceLength { get; set; }

    [Parameter]
    public TorrentVersion Version { get; set; } = TorrentVersion.V1;

    /// <summary>Wildcard patterns of files and folders to leave out.</summary>
    [Parameter]
    [SupportsWildcards]
    [AllowEmptyCollection]
    public string[] Exclude { get; set; } = [];

    /// <summary>Write no creation date (the same files then make the same file).</summary>
    [Parameter]
    public SwitchParameter NoCreationDate { get; set; }

    /// <summary>Replace a .torrent file that is there.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PieceLength)) && !PieceLengthRule.IsValid(PieceLength))
        {
            ThrowTerminatingError(TorrentCreationErrors.Create(
                new TorrentPSException("InvalidPieceLength", TorrentErrorKind.InvalidArgument, $"A piece length of {PieceLength} bytes is not a power of two from 16 KiB to 256 MiB."),
                PieceLength));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        // Session state (path resolution) belongs to the pipeline thread; the hashing does not.
        var literal = ParameterSetName == LiteralPathSet;
        var given = literal ? LiteralPath : Path;
        try
        {
            _content = FileSystemPathResolver.ResolveItem(this, given, literal);
            _destination = Destination is null ? null : Target(FileSystemPathResolver.ResolveOutput(this, Destination));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(TorrentCreationErrors.Create(ex, given));
            return;
        }

        if (_destination is not null)
        {
            // Refused before hours of hashing, not after (the write refuses it again should the file appear meanwhile).
            if (!Force && File.Exists(_destination))
            {
                WriteError(TorrentCreationErrors.Create(new TorrentPSException("FileExists", TorrentErrorKind.ResourceExists, $"The file '{_destination}' already exists."), _destination));
                return;
            }

            if (!ShouldProcess(_destination, $"Create a torrent of '{_content}'"))
            {
                return;
            }
        }

        base.ProcessRecord();
    }

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var creator = new TorrentCreator(logger: LoggerFactory.CreateLogger<TorrentCreator>());
        var output = new TorrentCreationOutput(WriteObject, (e, t) => WriteError(TorrentCreationErrors.Create(e, t)), WriteVerbose, activity => StartProgress(activity, 0), WriteProgress);
        return new TorrentCreationRunner(creator, output).RunAsync(_content, _destination, Force, Options(), cancellationToken);
    }

    /// <summary>A folder given as the destination receives <c>&lt;Name&gt;.torrent</c>.</summary>
    private string Target(string resolved)
        => Directory.Exists(resolved) ? System.IO.Path.Combine(resolved, TorrentCreator.NameFor(_content) + ".torrent") : resolved;

    private TorrentCreationOptions Options() => new()
    {
        TrackerTiers = (Tracker ?? []).Where(t => t is not null).Select(t => (IReadOnlyList<string>)t).ToArray(),
        WebSeeds = WebSeed ?? [],
        IsPrivate = Private,
        Comment = Comment,
        Source = Source,
        CreatedBy = MyInvocation.BoundParameters.ContainsKey(nameof(CreatedBy)) ? CreatedBy : TorrentCreationOptions.DefaultCreatedBy,
        PieceLength = MyInvocation.BoundParameters.ContainsKey(nameof(PieceLength)) ? PieceLength : null,
        Version = Version,
        Exclude = Exclude ?? [],
        NoCreationDate = NoCreationDate,
        OutputPath = _destination,
    };
}
