using System.CommandLine;
using System.Threading.Channels;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_handshake "&lt;magnet link&gt;"</c>: finds peers through the link's trackers (and its <c>x.pe</c>
/// addresses) and, at the same time, the DHT (the session's node, bootstrapped from <c>--dht-node</c> or the public
/// routers; not with <c>--no-dht</c>), handshakes advertising only the extension protocol, exchanges
/// extension handshakes and prints <c>Peer ID: &lt;40 hex&gt;</c> and <c>Peer Metadata Extension ID: &lt;n&gt;</c> for
/// the first peer that supports ut_metadata. A link with no tracker and no <c>x.pe</c> and the DHT off fails at once.
/// </summary>
internal sealed class MagnetHandshakeVerb : ICliVerb
{
    private static readonly TimeSpan TrackerTimeout = TimeSpan.FromSeconds(15);

    private readonly Argument<string> _link = CliArguments.MagnetLink();

    private readonly DhtCommandOptions _dht = new();

    public MagnetHandshakeVerb()
    {
        Command = new(
            "magnet_handshake",
            "Finds a peer of a magnet link through its trackers and the DHT, handshakes with it and prints its peer id and ut_metadata extension id.") { _link };
        _dht.AddTo(Command);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var magnet = MagnetLink.Parse(parsed.GetRequiredValue(_link));
        var options = HandshakeOptions.ExtensionBitOnly with { ExchangeExtensionHandshake = true };
        using var found = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loggers = CliApp.CreateLoggers(stderr);
        await _dht.ApplyToSessionAsync(parsed, loggers).ConfigureAwait(false);
        var dht = _dht.UseDht(parsed) && TorrentSession.Shared.CanSearchDht() ? TorrentSession.Shared : null;
        var hasLinkSources = magnet.Trackers.Count > 0 || magnet.PeerAddresses.Count > 0;
        if (!hasLinkSources && dht is null)
        {
            throw new TorrentPSException(
                "NowhereToAsk",
                TorrentErrorKind.InvalidArgument,
                _dht.UseDht(parsed)
                    ? "the magnet link names no tracker (tr) and no peer (x.pe), and the DHT has no node to ask (name one with --dht-node): there is nowhere to look for a peer"
                    : "the magnet link names no tracker (tr) and no peer (x.pe), and --no-dht turned the DHT off: there is nowhere to look for a peer");
        }

        // Both searches post what they find here; one reader handshakes, so stderr has one writer (besides the log).
        var finds = Channel.CreateUnbounded<Find>(new UnboundedChannelOptions { SingleReader = true });
        var searches = new List<Task>();
        if (hasLinkSources)
        {
            searches.Add(FromTrackersAsync(magnet, finds.Writer, found.Token));
        }

        if (dht is not null)
        {
            searches.Add(FromDhtAsync(dht, magnet.Hash, finds.Writer, found.Token));
        }

        var searching = Task.WhenAll(searches).ContinueWith(t => finds.Writer.TryComplete(t.Exception?.InnerException), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        TorrentPSException? last = null;
        var tried = new HashSet<System.Net.IPEndPoint>();
        try
        {
            await foreach (var find in finds.Reader.ReadAllAsync(found.Token).ConfigureAwait(false))
            {
                if (find.Error is { } error)
                {
                    last = error;
                    await stderr.WriteLineAsync($"tps magnet_handshake: {error.Message}").ConfigureAwait(false);
                    continue;
                }

                var peer = find.Peer!;
                if (!tried.Add(peer.IPEndPoint))
                {
                    continue; // the trackers and the DHT both gave it
                }

                try
                {
                    var handshake = await new PeerHandshaker().HandshakeAsync(peer, options, cancellationToken).ConfigureAwait(false);
                    if (handshake.MetadataExtensionId is not { } metadataId)
                    {
                        await stderr.WriteLineAsync($"tps magnet_handshake: peer {peer} does not support ut_metadata; trying the next").ConfigureAwait(false);
                        continue;
                    }

                    await stdout.WriteLineAsync($"Peer ID: {handshake.Id.Hex}").ConfigureAwait(false);
                    await stdout.WriteLineAsync($"Peer Metadata Extension ID: {metadataId}").ConfigureAwait(false);
                    return 0;
                }
                catch (PeerException ex)
                {
                    last = ex;
                    await stderr.WriteLineAsync($"tps magnet_handshake: {ex.Message}").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Stop asking the remaining trackers and the DHT.
            await found.CancelAsync().ConfigureAwait(false);
            await searching.ConfigureAwait(false);
        }

        throw last ?? new TorrentPSException(
            "NoPeers",
            TorrentErrorKind.ObjectNotFound,
            tried.Count == 0
                ? $"neither the link's trackers, its x.pe addresses{(dht is null ? string.Empty : " nor the DHT")} gave a peer"
                : "no peer of the magnet link supports ut_metadata");
    }

    /// <summary>The peers and failures of the link's trackers and its <c>x.pe</c> addresses.</summary>
    private static async Task FromTrackersAsync(MagnetLink magnet, ChannelWriter<Find> finds, CancellationToken cancellationToken)
    {
        var discoveryOptions = TorrentSession.Shared.CreateDiscoveryOptions(TrackerTimeout);
        try
        {
            await foreach (var discovered in TrackerPeerDiscovery.DiscoverAsync(PeerDiscoveryTarget.FromMagnet(magnet), discoveryOptions, logger: null, cancellationToken).ConfigureAwait(false))
            {
                if (discovered.Kind == TrackerDiscoveryEventKind.Failed)
                {
                    finds.TryWrite(new Find(null, discovered.Error));
                }
                else if (discovered.Kind == TrackerDiscoveryEventKind.Peer)
                {
                    finds.TryWrite(new Find(discovered.Peer, null));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A peer answered (or the user stopped): the trackers are no longer needed.
        }
    }

    /// <summary>The peers a <c>get_peers</c> lookup of <paramref name="infoHash"/> through the session's DHT node finds.</summary>
    private static async Task FromDhtAsync(TorrentSession session, InfoHash infoHash, ChannelWriter<Find> finds, CancellationToken cancellationToken)
    {
        try
        {
            await session.LookupDhtPeersAsync(infoHash, peers =>
            {
                foreach (var peer in peers)
                {
                    finds.TryWrite(new Find(peer, null));
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A peer answered (or the user stopped): the lookup is no longer needed.
        }
    }

    /// <summary>A peer a search found, or a search's failure.</summary>
    private readonly record struct Find(TorrentPeer? Peer, TorrentPSException? Error);
}
