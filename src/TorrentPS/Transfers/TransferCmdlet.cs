using System.Globalization;
using System.Management.Automation;
using System.Net;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Jobs;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>
/// Base of the cmdlets that run torrents in the session (Start-TorrentDownload, Start-MagnetDownload, Save-TorrentPiece,
/// Start-TorrentSeed): the torrents come through the one parameter block of <see cref="TorrentInputCmdlet"/>, <c>-Peer</c>
/// is resolved once, the transfers are collected from the pipeline on the pipeline thread (paths, ShouldProcess), then
/// all run side by side at the end through <see cref="TransferRunner"/>: in the foreground, waiting with progress (Ctrl+C
/// stops them and leaves a line on the host saying how far each got), or with <c>-AsJob</c> as <see cref="Jobs.TorrentJob"/>s
/// returned at once. The session listens for peers from the first torrent on (<c>-ListenPort</c>, else its own setting).
/// </summary>
public abstract class TransferCmdlet : TorrentInputCmdlet
{
    private readonly List<Transfer> _transfers = [];
    private IReadOnlyList<IPEndPoint> _peers = [];

    /// <summary>Peers to connect to besides those the trackers name: <c>ip:port</c>, <c>host:port</c>, or TorrentPeer objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>Does not look for peers through the DHT (the trackers, -Peer, the link's peers and peer exchange still count).</summary>
    [Parameter]
    public SwitchParameter NoDht { get; set; }

    /// <summary>The settings of this command's parameters (the peers are filled in here).</summary>
    private protected abstract TransferSettings Settings { get; }

    /// <summary>Whether <c>-AsJob</c> was given (the cmdlets that offer it say so).</summary>
    private protected virtual bool AsJobRequested => false;

    /// <summary>Queues a transfer to run when the input ends.</summary>
    private protected void Add(Transfer transfer) => _transfers.Add(transfer);

    protected override async Task BeginProcessingAsync(CancellationToken cancellationToken)
        => _peers = await PeerAddresses.ResolveAllAsync(Peer, cancellationToken).ConfigureAwait(false);

    protected override void EndProcessing()
    {
        if (_transfers.Count > 0)
        {
            Listen();
        }

        base.EndProcessing();
    }

    protected override Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        var context = new TransferContext(TorrentSession.Shared, Settings with { Peers = _peers, UseDht = !NoDht }, LoggerFactory);
        if (AsJobRequested)
        {
            var jobs = new TransferOutput(WriteObject, (error, target) => WriteError(TransferErrors.Create(error, target)), WriteVerbose, (activity, total, parent) => StartProgress(activity, total, parent), WriteProgress);
            var command = MyInvocation.MyCommand.Name;
            return new TransferRunner(context, jobs).StartJobsAsync(_transfers, transfer => new TorrentJob($"{command} {transfer.Name}", transfer.Name), Register, cancellationToken);
        }

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
            WriteProgress,
            WriteHostLine);
        return new TransferRunner(context, output).RunAsync(_transfers, cancellationToken);
    }

    /// <summary>Hands a job to the runspace's job manager (Get-Job, Wait-Job … find it) and writes it, on the pipeline thread.</summary>
    private void Register(TorrentJob job) => OnPipelineThread(() =>
    {
        var definition = new JobDefinition(typeof(TorrentJobSourceAdapter), job.Command, job.Name);
        JobManager.NewJob(new JobInvocationInfo(definition, new Dictionary<string, object> { ["NewJob"] = job }));
        WriteObject(job);
    });

    /// <summary>
    /// The session listens before the first torrent starts (once per process; <c>-ListenPort</c>, else the session's
    /// setting: 6881 or the next free port), so every torrent announces the port it listens on.
    /// </summary>
    private void Listen()
    {
        var session = TorrentSession.Shared;
        var listening = session.ListenEndPoint is not null;
        IPEndPoint endPoint;
        try
        {
            endPoint = session.Listen(Settings.ListenPort > 0 ? session.ListenSettings with { Port = Settings.ListenPort } : null);
        }
        catch (TorrentPSException ex)
        {
            ThrowTerminatingError(TransferErrors.Create(ex, Settings.ListenPort));
            return;
        }

        if (Settings.ListenPort > 0 && endPoint.Port != Settings.ListenPort)
        {
            WriteWarning(string.Format(CultureInfo.InvariantCulture, "Listening for peers on port {0}, not {1}: the port was taken, or this session listened on {0} earlier (one port serves every torrent of the session).", endPoint.Port, Settings.ListenPort));
        }
        else if (!listening)
        {
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Listening for peers on {0}.", endPoint));
        }
    }
}
