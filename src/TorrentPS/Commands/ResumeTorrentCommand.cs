using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Resume-Torrent: a new run of each torrent that is not running (paused, stopped, failed, or a completed one, which checks
/// its data and seeds toward its goal): it trusts the resume data and checks only what it cannot trust. Saved torrents a
/// new process lists continue this way; nothing starts by itself. Returns at once: Wait-Torrent waits.
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "Torrent", DefaultParameterSetName = NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(Torrent))]
public sealed class ResumeTorrentCommand : TorrentSelectorCmdlet
{
    /// <summary>Writes each torrent once its new run has started.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override bool Choose(Torrent torrent) => ShouldProcess(torrent.Name, "Resume");

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var torrent in Chosen)
        {
            try
            {
                torrent.Resume();
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, torrent);
                continue;
            }

            if (PassThru)
            {
                WriteObject(torrent);
            }
        }

        return Task.CompletedTask;
    }
}
