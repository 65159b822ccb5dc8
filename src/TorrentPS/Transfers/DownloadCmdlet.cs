using System.Management.Automation;
using TorrentPS.Paths;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>
/// Start-TorrentDownload and Start-MagnetDownload: the parameters they share (<c>-Destination</c>, <c>-TimeoutSec</c>,
/// <c>-SeedRatio</c>, <c>-SeedTimeMinutes</c>, <c>-ListenPort</c>) and the one thing they do with each torrent: a magnet
/// link is downloaded through its metadata, a torrent at once, into the destination folder.
/// </summary>
public abstract class DownloadCmdlet : TransferCmdlet
{
    private string _destination = string.Empty;

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

    private protected override TransferSettings Settings => new() { TimeoutSec = TimeoutSec, SeedRatio = SeedRatio, SeedTimeMinutes = SeedTimeMinutes, ListenPort = ListenPort };

    protected override void BeginProcessing()
    {
        _destination = FileSystemPathResolver.ResolveFolderOrTerminate(this, Destination);
        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (var input in Inputs())
        {
            if (ShouldProcess(_destination, $"Download {input.Description}"))
            {
                Add(input.Magnet is { } magnet ? new MagnetDownload(magnet, _destination) : new TorrentDownload(input, _destination));
            }
        }
    }

    /// <summary>This record's torrents and magnet links.</summary>
    private protected virtual List<TorrentInput> Inputs() => CollectInputs();
}
