using System.Globalization;
using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Remove-Torrent: stops each torrent if it runs and removes it from the session and its state folder. With -DeleteData
/// its files (only the torrent's own), the folders they leave empty and its resume data are deleted too; that asks for
/// confirmation, as a ConfirmImpact High command does, unless -Force or -Confirm:$false.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Torrent", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveTorrentCommand : TorrentSelectorCmdlet
{
    /// <summary>Deletes the torrent's files and resume data as well.</summary>
    [Parameter]
    public SwitchParameter DeleteData { get; set; }

    /// <summary>Deletes the data without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override bool Choose(Torrent torrent)
    {
        var where = torrent.Destination.Length > 0 ? torrent.Destination : torrent.Hash.Hex;
        if (!ShouldProcess(torrent.Name, DeleteData ? $"Remove from the session and delete its data at {where}" : "Remove from the session"))
        {
            return false;
        }

        // -DeleteData is high impact: confirmed unless -Force or -Confirm:$false, whatever $ConfirmPreference says.
        var confirmOff = MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm) && confirm is SwitchParameter { IsPresent: false };
        return !DeleteData || Force || confirmOff
            || ShouldContinue(string.Format(CultureInfo.CurrentCulture, "Delete the data of {0} at {1}? Its files cannot be recovered.", torrent.Name, where), "Remove-Torrent -DeleteData");
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var torrent in Chosen)
        {
            try
            {
                var notDeleted = await Session.RemoveAsync(torrent, DeleteData).ConfigureAwait(false);
                foreach (var failure in notDeleted)
                {
                    WriteError(new TorrentPSException("DeleteDataFailed", TorrentErrorKind.WriteError, $"{torrent.Name}: could not delete {failure}"), torrent);
                }
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, torrent);
            }
        }
    }
}
