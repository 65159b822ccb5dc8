using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_handshake "&lt;magnet link&gt;"</c>: finds a peer, handshakes advertising the extension
/// protocol, exchanges extension handshakes and prints <c>Peer ID: &lt;40 hex&gt;</c> and
/// <c>Peer Metadata Extension ID: &lt;n&gt;</c>.
/// </summary>
internal sealed class MagnetHandshakeVerb : ICliVerb
{
    public string Name => "magnet_handshake";

    public string Usage => "\"<magnet link>\"";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (arguments.Count != 1)
        {
            throw new CliUsageException($"expected 1 argument, got {arguments.Count}");
        }

        var magnet = MagnetLink.Parse(arguments[0]);
        var peers = await DiscoverPeersAsync(magnet, cancellationToken).ConfigureAwait(false);
        if (peers.Count == 0)
        {
            throw new TorrentPSException("NoPeers", TorrentErrorKind.ObjectNotFound, "the magnet link lists no peer to handshake with (x.pe)");
        }

        var options = HandshakeOptions.ExtensionBitOnly with { ExchangeExtensionHandshake = true };
        PeerException? last = null;
        foreach (var endPoint in peers)
        {
            try
            {
                var peer = new TorrentPeer(endPoint.Address, endPoint.Port, magnet.InfoHash, PeerSource.Magnet);
                var handshake = await new PeerHandshaker().HandshakeAsync(peer, options, cancellationToken).ConfigureAwait(false);
                if (handshake.MetadataExtensionId is not { } metadataId)
                {
                    await stderr.WriteLineAsync($"tps magnet_handshake: peer {endPoint} does not support ut_metadata; trying the next").ConfigureAwait(false);
                    continue;
                }

                await stdout.WriteLineAsync($"Peer ID: {handshake.PeerId.Hex}").ConfigureAwait(false);
                await stdout.WriteLineAsync($"Peer Metadata Extension ID: {metadataId}").ConfigureAwait(false);
                return 0;
            }
            catch (PeerException ex)
            {
                last = ex;
                await stderr.WriteLineAsync($"tps magnet_handshake: {ex.Message}").ConfigureAwait(false);
            }
        }

        throw last ?? new TorrentPSException("NoPeers", TorrentErrorKind.ObjectNotFound, "no peer of the magnet link supports ut_metadata");
    }

    /// <summary>
    /// Where the peers come from. For now only the link's <c>x.pe</c> addresses; the lead switches this
    /// one method to the tracker client (announce to the link's <c>tr</c> trackers) on merge.
    /// </summary>
    private static async Task<IReadOnlyList<IPEndPoint>> DiscoverPeersAsync(MagnetLink magnet, CancellationToken cancellationToken)
    {
        var peers = new List<IPEndPoint>();
        foreach (var address in magnet.PeerAddresses)
        {
            try
            {
                peers.Add(await PeerEndPoint.ResolveAsync(address, cancellationToken).ConfigureAwait(false));
            }
            catch (FormatException)
            {
                // A malformed x.pe entry is skipped; the others may still serve.
            }
        }

        return peers;
    }
}
