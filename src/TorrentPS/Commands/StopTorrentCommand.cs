using System.Management.Automation;
using TorrentPS.Engine.Session;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Stop-Torrent: ends each torrent's run (progress saved, trackers told <c>stopped</c>); the torrent stays listed, Stopped
/// (Completed when every wanted piece is here), until Resume-Torrent or Remove-Torrent. A paused torrent becomes Stopped.
/// A foreground command waiting on it, in any runspace, ends with its DownloadResult's State Stopped.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Torrent", DefaultParameterSetName = NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(Torrent))]
public sealed class StopTorrentCommand : TorrentSelectorCmdlet
{
    /// <summary>Writes each torrent once it has stopped.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override bool Choose(Torrent torrent) => ShouldProcess(torrent.Name, "Stop");

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(Chosen.Select(t => t.StopAsync())).ConfigureAwait(false);
        if (PassThru)
        {
            foreach (var torrent in Chosen)
            {
                WriteObject(torrent);
            }
        }
    }
}
