using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Cli.Verbs;

/// <summary><c>tps handshake &lt;file.torrent&gt; &lt;ip&gt;:&lt;port&gt;</c>: prints <c>Peer ID: &lt;40 hex&gt;</c>.</summary>
internal sealed class HandshakeVerb : ICliVerb
{
    public string Name => "handshake";

    public string Usage => "<file.torrent> <ip>:<port>";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (arguments.Count != 2)
        {
            throw new CliUsageException($"expected 2 arguments, got {arguments.Count}");
        }

        var torrent = await TorrentInfo.LoadAsync(arguments[0], cancellationToken).ConfigureAwait(false);
        var endPoint = await PeerEndPoint.ResolveAsync(arguments[1], cancellationToken).ConfigureAwait(false);
        var peer = new TorrentPeer(endPoint.Address, endPoint.Port, torrent.InfoHash, PeerSource.Manual);
        // The challenge's handshake: reserved bytes 00 00 00 00 00 10 00 00 and nothing after it.
        var handshake = await new PeerHandshaker().HandshakeAsync(peer, HandshakeOptions.ExtensionBitOnly with { PieceCount = torrent.PieceCount }, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Peer ID: {handshake.PeerId.Hex}").ConfigureAwait(false);
        return 0;
    }
}
