using System.Globalization;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Cli.Verbs;

/// <summary>`tps peers &lt;file.torrent&gt;`: asks the torrent's trackers for peers and prints each as ip:port, one per line.</summary>
internal sealed class PeersVerb : ICliVerb
{
    public string Name => "peers";

    public string Usage => "<file.torrent|magnet-link> [--timeout SECONDS]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string? source = null;
        var timeout = TimeSpan.FromSeconds(15);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--timeout")
            {
                if (i + 1 >= arguments.Count || !double.TryParse(arguments[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 3600)
                {
                    throw new CliUsageException("--timeout needs a number of seconds between 0 and 3600");
                }

                timeout = TimeSpan.FromSeconds(seconds);
            }
            else if (source is null)
            {
                source = arguments[i];
            }
            else
            {
                throw new CliUsageException($"unexpected argument '{arguments[i]}'");
            }
        }

        if (source is null)
        {
            throw new CliUsageException("a torrent file or magnet link is required");
        }

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
