using System.CommandLine;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_handshake "&lt;magnet link&gt;"</c>: finds peers through the link's trackers (and its
/// <c>x.pe</c> addresses), handshakes advertising only the extension protocol, exchanges extension
/// handshakes and prints <c>Peer ID: &lt;40 hex&gt;</c> and <c>Peer Metadata Extension ID: &lt;n&gt;</c>
/// for the first peer that supports ut_metadata.
/// </summary>
internal sealed class MagnetHandshakeVerb : ICliVerb
{
    private static readonly TimeSpan TrackerTimeout = TimeSpan.FromSeconds(15);

    private readonly Argument<string> _link = CliArguments.MagnetLink();

    public MagnetHandshakeVerb() => Command = new(
        "magnet_handshake",
        "Finds a peer of a magnet link through its trackers, handshakes with it and prints its peer id and ut_metadata extension id.") { _link };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var magnet = MagnetLink.Parse(parsed.GetRequiredValue(_link));
        var options = HandshakeOptions.ExtensionBitOnly with { ExchangeExtensionHandshake = true };
        var discoveryOptions = TorrentSession.Shared.CreateDiscoveryOptions(TrackerTimeout);
        using var found = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        TorrentPSException? last = null;
        var tried = 0;
        try
        {
            await foreach (var discovered in TrackerPeerDiscovery.DiscoverAsync(PeerDiscoveryTarget.FromMagnet(magnet), discoveryOptions, logger: null, found.Token).ConfigureAwait(false))
            {
                if (discovered.Kind == TrackerDiscoveryEventKind.Failed)
                {
                    last = discovered.Error;
                    await stderr.WriteLineAsync($"tps magnet_handshake: {discovered.Error!.Message}").ConfigureAwait(false);
                    continue;
                }

                if (discovered.Kind != TrackerDiscoveryEventKind.Peer)
                {
                    continue;
                }

                tried++;
                try
                {
                    var handshake = await new PeerHandshaker().HandshakeAsync(discovered.Peer!, options, cancellationToken).ConfigureAwait(false);
                    if (handshake.MetadataExtensionId is not { } metadataId)
                    {
                        await stderr.WriteLineAsync($"tps magnet_handshake: peer {discovered.Peer} does not support ut_metadata; trying the next").ConfigureAwait(false);
                        continue;
                    }

                    await stdout.WriteLineAsync($"Peer ID: {handshake.Id.Hex}").ConfigureAwait(false);
                    await stdout.WriteLineAsync($"Peer Metadata Extension ID: {metadataId}").ConfigureAwait(false);
                    await found.CancelAsync().ConfigureAwait(false); // stop asking the remaining trackers
                    return 0;
                }
                catch (PeerException ex)
                {
                    last = ex;
                    await stderr.WriteLineAsync($"tps magnet_handshake: {ex.Message}").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (found.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Discovery stopped because a peer answered.
        }

        throw last ?? new TorrentPSException(
            "NoPeers",
            TorrentErrorKind.ObjectNotFound,
            tried == 0 ? "neither the link's trackers nor its x.pe addresses gave a peer" : "no peer of the magnet link supports ut_metadata");
    }
}
