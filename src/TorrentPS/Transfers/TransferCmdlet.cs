using System.Globalization;
using System.Management.Automation;
using System.Net;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>
/// Base of the cmdlets that run torrents in the session (Start-TorrentDownload, Start-MagnetDownload, Save-TorrentPiece,
/// Start-TorrentSeed): the torrents come through the one parameter block of <see cref="TorrentInputCmdlet"/>, <c>-Peer</c>
/// is resolved once, the transfers are collected from the pipeline on the pipeline thread (paths, ShouldProcess), then
/// all run side by side at the end through <see cref="TransferRunner"/>. The session listens for peers first when the
/// command seeds or <c>-ListenPort</c> asks.
/// </summary>
public abstract class TransferCmdlet : TorrentInputCmdlet
{
    private readonly List<Transfer> _transfers = [];
    private IReadOnlyList<IPEndPoint> _peers = [];

    /// <summary>Peers to connect to besides those the trackers name: <c>ip:port</c>, <c>host:port</c>, or TorrentPeer objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>The settings of this command's parameters (the peers are filled in here).</summary>
    private protected abstract TransferSettings Settings { get; }

    /// <summary>Whether the torrents seed whatever the parameters say (Start-TorrentSeed), so the session must listen.</summary>
    private protected virtual bool Seeds => false;

    /// <summary>Queues a transfer to run when the input ends.</summary>
    private protected void Add(Transfer transfer) => _transfers.Add(transfer);

    protected override async Task BeginProcessingAsync(CancellationToken cancellationToken)
        => _peers = await PeerAddresses.ResolveAllAsync(Peer, cancellationToken).ConfigureAwait(false);

    protected override void EndProcessing()
    {
        if (_transfers.Count > 0 && Settings.ListenPortFor(Seeds) is { } port)
        {
            Listen(port);
        }

        base.EndProcessing();
    }

    protected override Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        var context = new TransferContext(TorrentSession.Shared, Settings with { Peers = _peers }, LoggerFactory);
        var output = new TransferOutput(
            item =>
            {
                switch (item)
                {
                    case FileInfo file:
                        WriteItem(file.FullName);
                        break;
                    case IEnumerable<FileInfo> written:
                        foreach (var file in written)
                        {
                            WriteItem(file.FullName);
                        }

                        break;
                    default:
                        WriteObject(item);
                        break;
                }
            },
            (error, target) => WriteError(TransferErrors.Create(error, target)),
            WriteVerbose,
            (activity, total, parent) => StartProgress(activity, total, parent),
            WriteProgress);
        return new TransferRunner(context, output).RunAsync(_transfers, cancellationToken);
    }

    /// <summary>Starts the session's listener (once per session; on that port or the next free one). No logger: it outlives this command.</summary>
    private void Listen(int port)
    {
        IPEndPoint endPoint;
        try
        {
            endPoint = TorrentSession.Shared.Listen(IPAddress.Any, port);
        }
        catch (TorrentPSException ex)
        {
            ThrowTerminatingError(TransferErrors.Create(ex, port));
            return;
        }

        if (Settings.ListenPort > 0 && endPoint.Port != Settings.ListenPort)
        {
            WriteWarning(string.Format(CultureInfo.InvariantCulture, "Listening for peers on port {0}, not {1}: the port was taken, or this session listened on {0} earlier (one port serves every torrent of the session).", endPoint.Port, Settings.ListenPort));
        }
        else
        {
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Listening for peers on port {0}.", endPoint.Port));
        }
    }
}
