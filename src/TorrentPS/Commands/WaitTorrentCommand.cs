using System.Management.Automation;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Wait-Torrent: waits until the torrents are in one of the states given (by default, until none is running: paused,
/// stopped, completed or failed), with one progress activity per torrent under an overall one, then writes those that
/// got there. -TimeoutSec ends the wait early (those not there are not written). Ctrl+C stops the waiting, never the
/// torrents. Every torrent of the session without arguments.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "Torrent", DefaultParameterSetName = NameSet)]
[OutputType(typeof(Torrent))]
public sealed class WaitTorrentCommand : TorrentSelectorCmdlet
{
    private readonly List<Torrent> _torrents = [];

    /// <summary>The states to wait for (any of them); by default the end of each torrent's run.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public TorrentState[] State { get; set; } = [];

    /// <summary>The longest to wait, in seconds; 0 (the default) waits as long as it takes.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    private protected override bool NeedsSelection => false;

    /// <summary>Collects the torrents; the wait covers all of them at the end.</summary>
    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var torrent in Chosen)
        {
            if (!_torrents.Contains(torrent))
            {
                _torrents.Add(torrent);
            }
        }

        return Task.CompletedTask;
    }

    protected override async Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        var waiter = new TorrentWaiter((activity, total, parent) => StartProgress(activity, total, parent), WriteProgress);
        var timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null;
        foreach (var torrent in await waiter.WaitAsync(_torrents, State, timeout, cancellationToken).ConfigureAwait(false))
        {
            WriteObject(torrent);
        }
    }
}
