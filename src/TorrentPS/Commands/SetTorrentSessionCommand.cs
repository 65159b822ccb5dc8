using System.Management.Automation;
using System.Net;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Session;

namespace TorrentPS.Commands;

/// <summary>
/// Set-TorrentSession: changes the process-wide session: where it listens (a new port or address takes effect at once
/// when no torrent runs, else refused with <c>TorrentsRunning</c>), its connection bounds and rate limits (at once,
/// running torrents included), and its state folder (only while no torrent runs). The settings are saved in the state
/// folder, so a later process starts with them.
/// </summary>
[Cmdlet(VerbsCommon.Set, "TorrentSession", SupportsShouldProcess = true)]
[OutputType(typeof(SessionStatus))]
public sealed class SetTorrentSessionCommand : AsyncCmdlet
{
    private string? _statePath;

    /// <summary>The port to listen for peers on (the next free one if taken); 0 for any free port. 6881 by default.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int ListenPort { get; set; } = -1;

    /// <summary>The local address to listen on; 0.0.0.0 (every address) by default.</summary>
    [Parameter]
    [ValidateNotNull]
    public IPAddress ListenAddress { get; set; } = null!;

    /// <summary>Connections across every torrent at most.</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int MaxConnections { get; set; }

    /// <summary>Connections one torrent keeps at most (for torrents started from now on).</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int MaxConnectionsPerTorrent { get; set; }

    /// <summary>The session's upload limit in bytes per second (5MB reads as 5 MiB/s); 0 for none.</summary>
    [Parameter]
    [ValidateRange(0L, long.MaxValue)]
    public long UploadRateLimit { get; set; } = -1;

    /// <summary>The session's download limit in bytes per second; 0 for none.</summary>
    [Parameter]
    [ValidateRange(0L, long.MaxValue)]
    public long DownloadRateLimit { get; set; } = -1;

    /// <summary>The folder the session keeps its torrent list, resume data and settings in (made when missing).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string StatePath { get; set; } = string.Empty;

    /// <summary>Writes the session afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!string.IsNullOrEmpty(StatePath))
        {
            _statePath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath);
        }

        if (ShouldProcess("the TorrentPS session", "Change its settings"))
        {
            base.ProcessRecord();
        }
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var session = ModuleSession.Session;
        if (_statePath is not null)
        {
            foreach (var problem in session.MoveState(_statePath))
            {
                WriteWarning($"TorrentPS state folder {_statePath}: {problem}");
            }
        }

        var current = session.Settings;
        var listen = current.Listen;
        if (ListenPort >= 0)
        {
            listen = listen with { Port = ListenPort };
        }

        if (ListenAddress is not null)
        {
            listen = listen with { Address = ListenAddress };
        }

        var settings = current with
        {
            Listen = listen,
            MaxConnections = MaxConnections > 0 ? MaxConnections : current.MaxConnections,
            MaxConnectionsPerTorrent = MaxConnectionsPerTorrent > 0 ? MaxConnectionsPerTorrent : current.MaxConnectionsPerTorrent,
            UploadRateLimit = UploadRateLimit >= 0 ? UploadRateLimit : current.UploadRateLimit,
            DownloadRateLimit = DownloadRateLimit >= 0 ? DownloadRateLimit : current.DownloadRateLimit,
        };
        try
        {
            await session.ApplyAsync(settings).ConfigureAwait(false);
        }
        catch (TorrentPSException ex)
        {
            WriteError(ex, listen);
            return;
        }

        if (PassThru)
        {
            WriteObject(session.GetStatus());
        }
    }
}
