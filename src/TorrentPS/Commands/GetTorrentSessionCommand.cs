using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Session;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Get-TorrentSession: the process-wide session shared by every runspace: where it listens (the port announced to
/// trackers), its connection and rate limits, how many torrents it holds and runs, its connections, rates and totals,
/// and its state folder.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentSession")]
[OutputType(typeof(SessionStatus))]
public sealed class GetTorrentSessionCommand : AsyncCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var warning in ModuleSession.TakeWarnings())
        {
            WriteWarning(warning);
        }

        WriteObject(ModuleSession.Session.GetStatus());
    }
}
