using System.Management.Automation;
using TorrentPS.Engine.Session;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Suspend-Torrent: pauses torrents: each run stops (connections closed, progress saved, trackers told <c>stopped</c>) and
/// the torrent stays Paused, moving nothing, until Resume-Torrent. A torrent not running is left as it is. A foreground
/// command waiting on the torrent ends with its result's State Paused; a job of it is Suspended.
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "Torrent", DefaultParameterSetName = NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(Torrent))]
public sealed class SuspendTorrentCommand : TorrentSelectorCmdlet
{
    /// <summary>Writes each torrent once it is paused.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override bool Choose(Torrent torrent) => ShouldProcess(torrent.Name, "Suspend");

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(Chosen.Select(t => t.SuspendAsync())).ConfigureAwait(false);
        if (PassThru)
        {
            foreach (var torrent in Chosen)
            {
                WriteObject(torrent);
            }
        }
    }
}
