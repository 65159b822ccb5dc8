using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Session;
using TorrentPS.Paths;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Start-TorrentDownload: downloads torrents' content into -Destination from the trackers' peers and -Peer, writing
/// progress, and one <see cref="DownloadResult"/> per torrent when it ends. Several torrents run side by side. Ctrl+C
/// stops them with their progress saved: the same command continues later.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TorrentDownload", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(DownloadResult))]
public sealed class StartTorrentDownloadCommand : TorrentTransferCmdlet
{
    private string _destination = string.Empty;

    /// <summary>The folder the single file or the top folder is made in; the current location by default.</summary>
    [Parameter(Position = 1)]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Give up after this many seconds without any progress; 0 (the default) waits until stopped.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

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

    private protected override TransferSettings Settings => new() { TimeoutSec = TimeoutSec, SeedRatio = SeedRatio, SeedTimeMinutes = SeedTimeMinutes, ListenPort = ListenPort };

    protected override void BeginProcessing()
    {
        _destination = FileSystemPathResolver.ResolveFolderOrTerminate(this, Destination);
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (var (input, description) in Inputs())
        {
            if (ShouldProcess(_destination, $"Download {description}"))
            {
                Add(new TorrentDownload(input, _destination));
            }
        }
    }
}
