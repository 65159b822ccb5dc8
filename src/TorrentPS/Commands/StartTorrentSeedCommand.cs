using System.Management.Automation;
using TorrentPS.Engine.Session;
using TorrentPS.Paths;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Start-TorrentSeed: offers torrents' data, already in -DataPath, to peers: checked first (incomplete data is refused
/// unless -AllowPartial), then seeded until -SeedRatio or -SeedTimeMinutes is reached, or until Ctrl+C (trackers hear
/// <c>stopped</c>); one <see cref="DownloadResult"/> per torrent when it ends. The session listens for peers. A
/// DownloadResult piped in binds by its SourcePath, InfoHash and DataPath.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TorrentSeed", DefaultParameterSetName = PathSet)]
[OutputType(typeof(DownloadResult))]
public sealed class StartTorrentSeedCommand : TransferCmdlet
{
    /// <summary>
    /// The folder that holds the single file or the multi-file torrent's top folder; the current location by default.
    /// Binds a piped object's DataPath (a DownloadResult's) in the LiteralPath set.
    /// </summary>
    [Parameter(Position = 1, ParameterSetName = PathSet)]
    [Parameter(Position = 1, ParameterSetName = TorrentSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    public string DataPath { get; set; } = string.Empty;

    /// <summary>Seed the pieces that are valid when the data is incomplete, instead of refusing.</summary>
    [Parameter]
    public SwitchParameter AllowPartial { get; set; }

    /// <summary>The port to listen for peers on (the next free one if taken); 6881 by default.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int ListenPort { get; set; }

    /// <summary>Stop when uploaded ÷ length reaches this.</summary>
    [Parameter]
    [ValidateRange(0.0, 1000.0)]
    public double SeedRatio { get; set; }

    /// <summary>Stop after seeding for this many minutes.</summary>
    [Parameter]
    [ValidateRange(0.0, 5256000.0)]
    public double SeedTimeMinutes { get; set; }

    private protected override TransferSettings Settings => new() { SeedRatio = SeedRatio, SeedTimeMinutes = SeedTimeMinutes, ListenPort = ListenPort };

    private protected override bool Seeds => true;

    protected override void ProcessRecord()
    {
        // -DataPath may come with each piped object, so it is resolved for each record.
        var dataFolder = FileSystemPathResolver.ResolveFolderOrTerminate(this, DataPath);
        foreach (var input in CollectInputs())
        {
            Add(new TorrentSeed(input, dataFolder, AllowPartial));
        }
    }
}
