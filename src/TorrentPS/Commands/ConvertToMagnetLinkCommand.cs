using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Torrents;

namespace TorrentPS.Commands;

/// <summary>
/// ConvertTo-MagnetLink: the magnet link of a torrent, as a string or a <see cref="MagnetLink"/>: a TorrentInfo, .torrent
/// files (-Path with wildcards, -LiteralPath), or magnet links (written back in their canonical form). A TorrentInfo that
/// came back through Import-Clixml, a job or a CSV file binds by its SourcePath and InfoHash and is read again.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "MagnetLink", DefaultParameterSetName = TorrentSet)]
[OutputType(typeof(string), typeof(MagnetLink))]
public sealed class ConvertToMagnetLinkCommand : TorrentInputCmdlet
{
    private List<TorrentInput> _inputs = [];

    /// <summary>Writes a <see cref="MagnetLink"/> object instead of the link text.</summary>
    [Parameter]
    public SwitchParameter AsObject { get; set; }

    protected override void ProcessRecord()
    {
        // Paths resolve on the pipeline thread; the files are read by the async bridge.
        _inputs = CollectInputs();
        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var input in _inputs)
        {
            try
            {
                Write(input.Magnet ?? (await input.LoadAsync(cancellationToken).ConfigureAwait(false)).ToMagnetLink());
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                WriteError(ex, input.Target);
            }
        }
    }

    private void Write(MagnetLink magnet) => WriteObject(AsObject ? magnet : magnet.ToString());
}
