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

    /// <summary>Runs the DHT node (-Dht) or not (-Dht:$false); it starts or stops at once when the session listens.</summary>
    [Parameter]
    public SwitchParameter Dht { get; set; }

    /// <summary>The DHT's bootstrap routers, host:port or ip:port; an empty list for none. Replaces the public routers.</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[] DhtBootstrapNode { get; set; } = [];

    /// <summary>Goes back to the public DHT routers as bootstrap nodes.</summary>
    [Parameter]
    public SwitchParameter DefaultDhtBootstrapNode { get; set; }

    /// <summary>Runs local service discovery (BEP 14) on the local network (-LocalDiscovery) or not (-LocalDiscovery:$false).</summary>
    [Parameter]
    public SwitchParameter LocalDiscovery { get; set; }

    private string[] _bootstrapNodes = [];

    protected override void ProcessRecord()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(DhtBootstrapNode)))
        {
            if (DefaultDhtBootstrapNode)
            {
                ThrowTerminatingError(ErrorRecordFactory.Create(new TorrentPSException("ConflictingDhtBootstrapNodes", TorrentErrorKind.InvalidArgument, "Give -DhtBootstrapNode or -DefaultDhtBootstrapNode, not both."), null));
            }

            foreach (var node in DhtBootstrapNode)
            {
                if (!IsHostAndPort(node))
                {
                    ThrowTerminatingError(ErrorRecordFactory.Create(new TorrentPSException("InvalidDhtBootstrapNode", TorrentErrorKind.InvalidArgument, $"'{node}' is not a DHT node: give host:port or ip:port (port 1-65535)."), node));
                }
            }

            _bootstrapNodes = DhtBootstrapNode.Select(n => n.Trim()).ToArray();
        }

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
            Dht = MyInvocation.BoundParameters.ContainsKey(nameof(Dht)) ? Dht.IsPresent : current.Dht,
            DhtBootstrapNodes = DefaultDhtBootstrapNode ? null : MyInvocation.BoundParameters.ContainsKey(nameof(DhtBootstrapNode)) ? _bootstrapNodes : current.DhtBootstrapNodes,
            LocalDiscovery = MyInvocation.BoundParameters.ContainsKey(nameof(LocalDiscovery)) ? LocalDiscovery.IsPresent : current.LocalDiscovery,
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

    /// <summary>host:port or ip:port ([v6]:port), the port 1-65535.</summary>
    private static bool IsHostAndPort(string? text)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        return colon > 0
            && int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535
            && !string.IsNullOrWhiteSpace(text![..colon].Trim('[', ']'));
    }
}
