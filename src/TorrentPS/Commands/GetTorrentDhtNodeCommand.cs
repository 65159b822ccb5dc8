using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Dht;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Get-TorrentDhtNode: the session's DHT routing table, one DhtNodeInfo per node (id, address and port, its state: good,
/// questionable or bad, when it was last heard from, its bucket). Empty, with a warning, while the session runs no DHT
/// node (it starts with the session's listener, at the first torrent or Set-TorrentSession).
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentDhtNode")]
[OutputType(typeof(DhtNodeInfo))]
public sealed class GetTorrentDhtNodeCommand : AsyncCmdlet
{
    protected override void ProcessRecord()
    {
        var session = ModuleSession.Session;
        if (session.DhtStatus is null)
        {
            WriteWarning(session.Settings.Dht
                ? "The session runs no DHT node yet: it starts when the session starts listening (with its first torrent)."
                : "The DHT is turned off: Set-TorrentSession -Dht turns it on.");
            return;
        }

        foreach (var node in session.DhtNodes)
        {
            WriteObject(node);
        }
    }
}
