using System.CommandLine;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Cli.Verbs;

/// <summary><c>tps handshake &lt;file.torrent&gt; &lt;ip&gt;:&lt;port&gt;</c>: prints <c>Peer ID: &lt;40 hex&gt;</c>.</summary>
internal sealed class HandshakeVerb : ICliVerb
{
    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file of the torrent to handshake for.");

    private readonly Argument<string> _peer = new("ip:port")
    {
        Description = "The peer's address: ip:port, [ipv6]:port or host:port.",
    };

    public HandshakeVerb() => Command = new("handshake", "Connects to a peer, exchanges BitTorrent handshakes and prints the peer's id.") { _torrent, _peer };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var torrent = await TorrentInfo.LoadAsync(parsed.GetRequiredValue(_torrent), cancellationToken).ConfigureAwait(false);
        var endPoint = await PeerEndPoint.ResolveAsync(parsed.GetRequiredValue(_peer), cancellationToken).ConfigureAwait(false);
        var peer = new TorrentPeer(endPoint.Address, endPoint.Port, torrent.Hash, PeerSource.Manual);
        // The challenge's handshake: reserved bytes 00 00 00 00 00 10 00 00 and nothing after it.
        var handshake = await new PeerHandshaker().HandshakeAsync(peer, HandshakeOptions.ExtensionBitOnly with { PieceCount = torrent.PieceCount }, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Peer ID: {handshake.Id.Hex}").ConfigureAwait(false);
        return 0;
    }
}
