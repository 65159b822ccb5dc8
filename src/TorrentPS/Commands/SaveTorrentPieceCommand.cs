using System.Globalization;
using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Paths;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Save-TorrentPiece: downloads one piece of a torrent from its peers, checks it against its hash and writes its bytes to
/// -Destination (whole, or not at all); writes the file's FileInfo.
/// </summary>
[Cmdlet(VerbsData.Save, "TorrentPiece", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class SaveTorrentPieceCommand : TorrentTransferCmdlet
{
    private string _file = string.Empty;

    /// <summary>The piece's index, from 0.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateRange(0, int.MaxValue)]
    public int Index { get; set; }

    /// <summary>The file the piece's bytes are written to (replaced if it exists).</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Give up after this many seconds without any progress; 0 (the default) waits until stopped.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    private protected override TransferSettings Settings => new() { TimeoutSec = TimeoutSec };

    protected override void BeginProcessing()
    {
        try
        {
            _file = FileSystemPathResolver.ResolveOutput(this, Destination, literal: true);
            if (Directory.Exists(_file))
            {
                throw PathResolutionException.IsDirectory(Destination);
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(ex, Destination));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (var (input, description) in Inputs())
        {
            if (ShouldProcess(_file, string.Create(CultureInfo.InvariantCulture, $"Save piece {Index} of {description}")))
            {
                Add(new PieceDownload(input, Index, _file));
            }
        }
    }
}
