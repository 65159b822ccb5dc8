using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Commands;

/// <summary>ConvertTo-MagnetLink: the magnet link of a torrent, as a string or a <see cref="MagnetLink"/>.</summary>
[Cmdlet(VerbsData.ConvertTo, "MagnetLink")]
[OutputType(typeof(string), typeof(MagnetLink))]
public sealed class ConvertToMagnetLinkCommand : AsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>Writes a <see cref="MagnetLink"/> object instead of the link text.</summary>
    [Parameter]
    public SwitchParameter AsObject { get; set; }

    protected override void ProcessRecord()
    {
        var magnet = Torrent.ToMagnetLink();
        WriteObject(AsObject ? magnet : magnet.ToString());
    }
}
