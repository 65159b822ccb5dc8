using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Session;
using TorrentPS.Paths;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Start-TorrentSeed: offers torrents' data, already in -DataPath, to peers: checked first (incomplete data is refused
/// unless -AllowPartial), then seeded until -SeedRatio or -SeedTimeMinutes is reached, or until Ctrl+C (trackers hear
/// <c>stopped</c>); one <see cref="DownloadResult"/> per torrent when it ends. The session listens for peers.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TorrentSeed", DefaultParameterSetName = PathSet)]
[OutputType(typeof(DownloadResult))]
public sealed class StartTorrentSeedCommand : TorrentTransferCmdlet
{
    private string _dataFolder = string.Empty;

    /// <summary>The folder that holds the single file or the multi-file torrent's top folder; the current location by default.</summary>
    [Parameter(Position = 1)]
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

    protected override void BeginProcessing()
    {
        _dataFolder = FileSystemPathResolver.ResolveFolderOrTerminate(this, DataPath);
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (var (input, _) in Inputs())
        {
            Add(new TorrentSeed(input, _dataFolder, AllowPartial));
        }
    }
}
