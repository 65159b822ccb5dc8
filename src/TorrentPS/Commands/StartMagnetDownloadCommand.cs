using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Paths;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Start-MagnetDownload: downloads magnet links' content into -Destination: the metadata from peers first (or from the
/// resume data of an earlier run), then the data, as Start-TorrentDownload does; one <see cref="DownloadResult"/> each.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MagnetDownload", SupportsShouldProcess = true)]
[OutputType(typeof(DownloadResult))]
public sealed class StartMagnetDownloadCommand : TransferCmdlet
{
    private string _destination = string.Empty;

    /// <summary>Magnet links: text, or MagnetLink objects (bound by their Uri property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Uri")]
    [AllowEmptyString]
    public string[] MagnetLink { get; set; } = [];

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
        foreach (var link in MagnetLink)
        {
            Engine.Metainfo.MagnetLink magnet;
            try
            {
                magnet = Engine.Metainfo.MagnetLink.Parse(link ?? string.Empty);
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, link);
                continue;
            }

            if (ShouldProcess(_destination, $"Download {MagnetNames.Of(magnet)}"))
            {
                Add(new MagnetDownload(magnet, _destination));
            }
        }
    }
}
