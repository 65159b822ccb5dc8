using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Torrents;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Get-TorrentInfo: reads .torrent files into <see cref="TorrentInfo"/> objects; for magnet links (-MagnetLink, or magnet
/// text given as -Path) fetches the metadata from peers, and nothing else. A TorrentInfo piped in is written as it is; one
/// that came back through Export-Clixml, a job or a CSV file is read again from its SourcePath.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TorrentInfo", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentInfo))]
public sealed class GetTorrentInfoCommand : TorrentInputCmdlet
{
    private const string MagnetSet = "MagnetLink";

    private List<TorrentInput> _inputs = [];
    private TransferSettings? _settings;

    /// <summary>Magnet links whose metadata to fetch from peers: text, or MagnetLink objects (bound by their Uri property).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [Alias("Uri")]
    [AllowEmptyString]
    public string[] MagnetLink { get; set; } = [];

    /// <summary>The info hash the torrent at -LiteralPath must have, or the magnet links must name (a piped object's InfoHash).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = MagnetSet)]
    [ArgumentCompleter(typeof(Completion.InfoHashCompleter))]
    public override string? InfoHash { get; set; }

    /// <summary>Peers to ask for a magnet link's metadata besides those its trackers and x.pe name.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = MagnetSet)]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>Give up fetching a magnet link's metadata after this many seconds without progress; 0 waits until stopped.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = MagnetSet)]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; } = TransferSettings.DefaultTimeoutSec;

    protected override void ProcessRecord()
    {
        // Session state (path resolution) belongs to the pipeline thread; reading the files does not.
        _inputs = ParameterSetName == MagnetSet ? ParseLinks() : CollectInputs();
        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var magnets = new List<Transfer>();
        foreach (var input in _inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (input.Magnet is { } magnet)
            {
                magnets.Add(new MetadataFetch(magnet));
                continue;
            }

            try
            {
                var torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);
                if (input.Path is { } file)
                {
                    WriteVerbose(TorrentNarration.Read(torrent, file));
                }

                WriteObject(torrent);
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                WriteError(ex, input.Target);
            }
        }

        if (magnets.Count > 0)
        {
            _settings ??= new TransferSettings { TimeoutSec = TimeoutSec, Peers = await PeerAddresses.ResolveAllAsync(Peer, cancellationToken).ConfigureAwait(false) };
            var output = new TransferOutput(WriteObject, (error, target) => WriteError(TransferErrors.Create(error, target)), WriteVerbose, (activity, total, parent) => StartProgress(activity, total, parent), WriteProgress);
            await new TransferRunner(new TransferContext(TorrentSession.Shared, _settings, LoggerFactory), output).RunAsync(magnets, cancellationToken).ConfigureAwait(false);
        }
    }

    private List<TorrentInput> ParseLinks()
    {
        var inputs = new List<TorrentInput>();
        foreach (var link in MagnetLink)
        {
            try
            {
                var expected = TorrentReference.ParseExpected(InfoHash);
                inputs.Add(TorrentInput.ForMagnet(TorrentReference.CheckLink(Engine.Metainfo.MagnetLink.Parse(link ?? string.Empty), expected)));
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, link);
            }
        }

        return inputs;
    }
}
