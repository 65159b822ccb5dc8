using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;
using TorrentPS.Peers;

namespace TorrentPS.Commands;

/// <summary>
/// Invoke-PeerHandshake: connects to peers, exchanges BitTorrent and extension handshakes and emits
/// one <see cref="PeerHandshake"/> per peer as each completes. Pipeline input is collected, then the
/// handshakes run concurrently (-ThrottleLimit). A peer that fails is a non-terminating error.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PeerHandshake", DefaultParameterSetName = PeerSet)]
[OutputType(typeof(PeerHandshake))]
public sealed class InvokePeerHandshakeCommand : AsyncCmdlet
{
    private const string PeerSet = "Peer";
    private const string InfoHashSet = "AddressInfoHash";
    private const string TorrentSet = "AddressTorrent";

    private readonly List<TorrentPeer> _peers = [];
    private readonly HashSet<TorrentInfo> _torrents = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PeerSet)]
    public TorrentPeer[] Peer { get; set; } = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = InfoHashSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TorrentSet)]
    [Alias("EndPoint")]
    [PeerAddressTransformation]
    public string[] Address { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = InfoHashSet)]
    [Parameter(ParameterSetName = TorrentSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = InfoHashSet)]
    [ArgumentCompleter(typeof(Completion.InfoHashCompleter))]
    public string InfoHash { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    public TorrentInfo Torrent { get; set; } = null!;

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 16;

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        if (ParameterSetName == PeerSet)
        {
            _peers.AddRange(Peer.Where(p => p is not null));
            return;
        }

        Engine.Metainfo.InfoHash infoHash;
        try
        {
            if (ParameterSetName == TorrentSet)
            {
                _torrents.Add(Torrent);
            }

            infoHash = ParameterSetName == TorrentSet ? Torrent.Hash : PeerHandshakeTargets.ParseInfoHash(InfoHash);
        }
        catch (TorrentPSException ex)
        {
            WriteError(ex, InfoHash);
            return;
        }

        foreach (var address in Address)
        {
            try
            {
                var text = PeerHandshakeTargets.ComposeAddress(address, Port > 0 ? Port : null);
                _peers.Add(await PeerHandshakeTargets.ResolveAsync(text, infoHash, cancellationToken).ConfigureAwait(false));
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, address);
            }
        }
    }

    protected override async Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        if (_peers.Count == 0)
        {
            return;
        }

        // Bitfields are checked against the piece count only when every peer belongs to one known torrent.
        var options = PeerHandshakeTargets.CreateOptions(TimeoutSec, _torrents.Count == 1 ? _torrents.First() : null);
        var handshaker = new PeerHandshaker(LoggerFactory);
        WriteVerbose(HandshakeNarration.Starting(_peers.Count, ThrottleLimit, TimeoutSec));
        var answered = 0;
        await using (var progress = new HandshakeProgress(StartProgress(HandshakeProgress.Activity, _peers.Count, unit: HandshakeProgress.Unit)).Feed(WriteProgress))
        {
            await foreach (var outcome in handshaker.HandshakeManyAsync(_peers, options, ThrottleLimit, progress.Writer, cancellationToken).ConfigureAwait(false))
            {
                if (outcome.Handshake is { } handshake)
                {
                    answered++;
                    WriteVerbose(HandshakeNarration.Answered(handshake));
                    WriteObject(handshake);
                }
                else if (outcome.Error is { } error)
                {
                    WriteVerbose(HandshakeNarration.Failed(outcome.Peer, error));
                    WriteError(error, outcome.Peer);
                }
            }
        }

        WriteVerbose(HandshakeNarration.Done(answered, _peers.Count));
    }
}
