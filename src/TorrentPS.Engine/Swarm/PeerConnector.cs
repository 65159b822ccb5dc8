using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Makes connections for a torrent: a dial runs the TCP connect and the handshake on a thread of its own, which then
/// becomes the connection's reading thread (<see cref="PeerLink.Run"/>); a peer that dialled our listener is adopted on
/// its thread the same way. Either way the loop hears <see cref="SwarmEvent.PeerConnected"/> (or
/// <see cref="SwarmEvent.ConnectFailed"/>) and decides whether to keep it.
/// </summary>
internal sealed class PeerConnector : IPeerDialer
{
    private readonly InfoHash _infoHash;
    private readonly ConnectorSettings _settings;
    private readonly PieceContextHolder _pieces;
    private readonly Func<SwarmEvent, bool> _post;
    private readonly Func<SwarmEvent, bool> _postQuietly;
    private readonly ILoggerFactory _loggers;
    private readonly TransferLimits _limits;
    private readonly CancellationToken _stopping;
    private int _nextLinkId;

    public PeerConnector(InfoHash infoHash, ConnectorSettings settings, PieceContextHolder pieces, Func<SwarmEvent, bool> post, Func<SwarmEvent, bool> postQuietly, ILoggerFactory loggers, TransferLimits limits, CancellationToken stopping)
    {
        _infoHash = infoHash;
        _settings = settings;
        _pieces = pieces;
        _post = post;
        _postQuietly = postQuietly;
        _loggers = loggers;
        _limits = limits;
        _stopping = stopping;
    }

    /// <summary>The metainfo once known (set by the loop): the handshake then checks piece counts and offers the metadata.</summary>
    public TorrentInfo? Info { get; set; }

    /// <summary>Whether our extension handshake offers ut_pex (off for a private torrent).</summary>
    public bool PeerExchange { get; set; }

    /// <summary>The options every connection of this torrent handshakes with.</summary>
    public HandshakeOptions HandshakeOptions => new()
    {
        PeerId = _settings.PeerId,
        ExtensionProtocol = true,
        FastExtension = _settings.FastExtension,
        PieceCount = Info?.PieceCount ?? 0,
        LocalAddress = _settings.LocalAddress,
        ConnectTimeout = _settings.ConnectTimeout,
        HandshakeTimeout = _settings.HandshakeTimeout,
        MessageTimeout = _settings.MessageTimeout,
        LocalExtensionHandshake = ExtensionHandshake.CreateLocal(
            listenPort: _settings.ListenPort,
            metadataSize: Info?.GetRawInfo().Length,
            requestQueueLimit: PeerLink.UploadQueueLimit,
            peerExchange: PeerExchange),
    };

    public void Dial(IPEndPoint endPoint, TimeSpan? handshakeTimeout = null)
    {
        var options = HandshakeOptions;
        if (handshakeTimeout is { } hurried)
        {
            options = options with
            {
                ConnectTimeout = hurried < options.ConnectTimeout ? hurried : options.ConnectTimeout,
                HandshakeTimeout = hurried < options.HandshakeTimeout ? hurried : options.HandshakeTimeout,
            };
        }

        var id = Interlocked.Increment(ref _nextLinkId);
        var wireLogger = _loggers.CreateLogger<PeerWire>();
        var linkLogger = _loggers.CreateLogger<PeerLink>();
        ConnectionThread.Start($"TorrentPS peer {endPoint}", () =>
        {
            PeerWire wire;
            try
            {
                wire = HandshakeExchange.Dial(endPoint, _infoHash, options, wireLogger, _stopping);
            }
            catch (Exception ex)
            {
                _post(new SwarmEvent.ConnectFailed(endPoint, ex is PeerException peer ? peer.Reason : ex.Message));
                return;
            }

            new PeerLink(wire, id, _pieces, _post, _postQuietly, linkLogger, _limits).Run();
        });
    }

    /// <summary>A peer that dialled us and finished its handshake, on the connection's own thread (which becomes its reading thread).</summary>
    public void Adopt(PeerWire wire)
        => new PeerLink(wire, Interlocked.Increment(ref _nextLinkId), _pieces, _post, _postQuietly, _loggers.CreateLogger<PeerLink>(), _limits).Run();
}

/// <summary>Who we are to peers and how long we wait for them.</summary>
/// <param name="FastExtension">Offer BEP 6 (off only for the challenge's verbs, whose peers accept no other reserved bits than BEP 10's).</param>
internal sealed record ConnectorSettings(PeerId PeerId, int ListenPort, IPAddress? LocalAddress, TimeSpan ConnectTimeout, TimeSpan HandshakeTimeout, TimeSpan MessageTimeout, bool FastExtension = true);
