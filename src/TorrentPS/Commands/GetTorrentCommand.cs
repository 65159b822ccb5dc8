using System.Management.Automation;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Get-Torrent: the torrents the session holds, from any runspace or thread job of the process (and those a state folder
/// kept from an earlier process, listed Stopped): live <see cref="Torrent"/> objects whose properties read the latest
/// status. Every torrent without arguments; -Name (wildcards), -InfoHash and -State narrow it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "Torrent", DefaultParameterSetName = NameSet)]
[OutputType(typeof(Torrent))]
public sealed class GetTorrentCommand : TorrentSelectorCmdlet
{
    /// <summary>Only torrents in these states.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public TorrentState[] State { get; set; } = [];

    private protected override bool NeedsSelection => false;

    private protected override IReadOnlyCollection<TorrentState>? StateFilter => State;

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var torrent in Chosen)
        {
            WriteObject(torrent);
        }

        return Task.CompletedTask;
    }
}
