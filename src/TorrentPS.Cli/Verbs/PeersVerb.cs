using System.CommandLine;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Cli.Verbs;

/// <summary>`tps peers &lt;file.torrent&gt;`: asks the torrent's trackers for peers and prints each as ip:port, one per line.</summary>
internal sealed class PeersVerb : ICliVerb
{
    private readonly Argument<string> _source = new("file.torrent|magnet-link")
    {
        Description = "The .torrent file, or a magnet link (quoted: it contains '&').",
    };

    private readonly Option<double> _timeout = CliArguments.TimeoutSeconds(15, "How long to wait for the trackers' answers.");

    public PeersVerb() => Command = new("peers", "Asks a torrent's trackers for peers and prints each as ip:port, one per line.") { _source, _timeout };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var source = parsed.GetRequiredValue(_source);
        var timeout = TimeSpan.FromSeconds(parsed.GetValue(_timeout));
        var target = source.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase)
            ? PeerDiscoveryTarget.FromMagnet(MagnetLink.Parse(source))
            : PeerDiscoveryTarget.FromTorrent(await TorrentInfo.LoadAsync(source, cancellationToken).ConfigureAwait(false));
        var options = TorrentSession.Shared.CreateDiscoveryOptions(timeout);
        var answered = 0;
        var failed = 0;
        var peers = 0;
        await foreach (var found in TrackerPeerDiscovery.DiscoverAsync(target, options, logger: null, cancellationToken).ConfigureAwait(false))
        {
            switch (found.Kind)
            {
                case TrackerDiscoveryEventKind.Peer:
                    peers++;
                    await stdout.WriteLineAsync(found.Peer!.EndPointText).ConfigureAwait(false);
                    break;
                case TrackerDiscoveryEventKind.Answered:
                    answered++;
                    break;
                case TrackerDiscoveryEventKind.Warning:
                    await stderr.WriteLineAsync($"tps peers: warning from {DisplayText.Escape(found.TrackerUrl)}: {DisplayText.Escape(found.Warning)}").ConfigureAwait(false);
                    break;
                case TrackerDiscoveryEventKind.Failed:
                    failed++;
                    await stderr.WriteLineAsync($"tps peers: {found.Error!.Message}").ConfigureAwait(false);
                    break;
            }
        }

        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);

        // Success when some tracker answered (even with no peers) or peers came from the link itself.
        return answered > 0 || peers > 0 || failed == 0 ? 0 : 1;
    }
}
