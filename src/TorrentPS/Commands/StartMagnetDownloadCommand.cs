using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Jobs;
using TorrentPS.Torrents;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Start-MagnetDownload: downloads magnet links' content into -Destination: the metadata from peers first (or from the
/// resume data of an earlier run), then the data, as Start-TorrentDownload does; one <see cref="DownloadResult"/> each.
/// It takes MagnetLink objects by their Uri; -Path, -LiteralPath and -Torrent work as in Start-TorrentDownload.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MagnetDownload", DefaultParameterSetName = MagnetSet, SupportsShouldProcess = true)]
[OutputType(typeof(DownloadResult), typeof(TorrentJob))]
public sealed class StartMagnetDownloadCommand : DownloadCmdlet
{
    private const string MagnetSet = "MagnetLink";

    /// <summary>Magnet links: text, or MagnetLink objects (bound by their Uri property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [Alias("Uri")]
    [AllowEmptyString]
    public string[] MagnetLink { get; set; } = [];

    /// <summary>The info hash the torrent at -LiteralPath must have, or the magnet links must name (a piped object's InfoHash).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [ArgumentCompleter(typeof(Completion.InfoHashCompleter))]
    public override string? InfoHash { get; set; }

    private protected override List<TorrentInput> Inputs()
    {
        if (ParameterSetName != MagnetSet)
        {
            return CollectInputs();
        }

        var inputs = new List<TorrentInput>();
        foreach (var link in MagnetLink)
        {
            try
            {
                var expected = TorrentReference.ParseExpected(InfoHash);
                inputs.Add(TorrentInput.ForMagnet(TorrentReference.CheckLink(Engine.Metainfo.MagnetLink.Parse(link ?? string.Empty), expected)));
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, link);
            }
        }

        return inputs;
    }
}
