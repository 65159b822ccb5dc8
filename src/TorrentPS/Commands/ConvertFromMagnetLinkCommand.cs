using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Commands;

/// <summary>ConvertFrom-MagnetLink: magnet URIs to <see cref="MagnetLink"/> objects.</summary>
[Cmdlet(VerbsData.ConvertFrom, "MagnetLink")]
[OutputType(typeof(MagnetLink))]
public sealed class ConvertFromMagnetLinkCommand : AsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Uri", "MagnetUri")]
    [AllowEmptyString]
    public string[] Link { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var link in Link)
        {
            try
            {
                WriteObject(MagnetLink.Parse(link ?? string.Empty));
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, link);
            }
        }
    }
}
