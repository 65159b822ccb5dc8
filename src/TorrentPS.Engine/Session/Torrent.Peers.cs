using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>The torrent's peers: dialling, connections coming and going, and what they say.</summary>
public sealed partial class Torrent
{
    /// <summary>Blocks nobody asked for that a peer may send before it is dropped.</summary>
    private const int MaxUnexpectedBlocks = 256;

    private readonly Dictionary<int, PeerState> _peers = new();
    private readonly PeerSet _candidates;
    private readonly HashSet<PeerState> _needFlush = new();
    private readonly HashSet<PeerId> _bannedPeerIds = new();
    private readonly HashSet<IPAddress> _bannedAddresses = new();
    private int _connecting;
    private int _nextLinkId;
    private long _uploadedByClosed;

    /// <summary>The options every connection of this torrent handshakes with.</summary>
    private HandshakeOptions HandshakeOptions => new()
    {
        PeerId = _identity.PeerId,
        ExtensionProtocol = true,
        FastExtension = true,
        PieceCount = Info?.PieceCount ?? 0,
        LocalAddress = _options.LocalAddress,
        ConnectTimeout = _options.ConnectTimeout,
        HandshakeTimeout = _options.HandshakeTimeout,
        MessageTimeout = _options.MessageTimeout,
        LocalExtensionHandshake = ExtensionHandshake.CreateLocal(
            listenPort: _identity.ListenPort,
            metadataSize: Info?.GetRawInfo().Length,
            requestQueueLimit: PeerLink.UploadQueueLimit),
    };

    /// <summary>
    /// Takes a peer that dialled our listener and asked for this torrent (on the connection's own thread, which becomes
    /// its reading thread). The loop decides whether to keep it.
    /// </summary>
    internal void AdoptIncoming(PeerWire wire)
    {
        if (_events.IsCompleted || _stopping.IsCancellationRequested)
        {
            wire.Dispose();
            return;
        }

        var link = new PeerLink(wire, Interlocked.Increment(ref _nextLinkId), _pieces, Post, _loggers.CreateLogger<PeerLink>(), _transferLimits);
        link.Run();
    }

    /// <summary>A connection made elsewhere joins the torrent (simulated peers in tests use it; real ones post it themselves).</summary>
    internal void AdoptLink(IPeerLink link) => Post(new SwarmEvent.PeerConnected(link));

    /// <summary>What connection threads see of the torrent's pieces.</summary>
    internal PieceContextHolder Pieces => _pieces;

    /// <summary>Options for an incoming connection's handshake (the session's listener asks).</summary>
    internal HandshakeOptions? IncomingHandshakeOptions()
        => _state is TorrentState.Stopping || _stopping.IsCancellationRequested ? null : HandshakeOptions;

    private void OnPeersFound(IReadOnlyList<TorrentPeer> peers)
    {
        var added = 0;
        foreach (var peer in peers)
        {
            var endPoint = peer.EndPoint;
            if (IsOwnEndPoint(endPoint) || _bannedAddresses.Contains(endPoint.Address))
            {
                continue;
            }

            var known = _candidates.Count;
            _candidates.Add(endPoint, peer.Source);
            added += _candidates.Count - known;
        }

        if (added > 0)
        {
            _logger.LogDebug("{Torrent}: {Count} new peer addresses ({Known} known)", Name, added, _candidates.Count);
            DialMore();
        }
    }

    private bool IsOwnEndPoint(IPEndPoint endPoint)
        => _identity.ListenPort > 0 && endPoint.Port == _identity.ListenPort && (IPAddress.IsLoopback(endPoint.Address) ? _options.LocalAddress is null || endPoint.Address.Equals(_options.LocalAddress) : TorrentSession.IsLocalAddress(endPoint.Address));

    /// <summary>
    /// Dials candidates while there is room: the connection limit, and a bound on dials in progress. A seed dials too:
    /// peers that never dial out (transmission ignores every loopback address a tracker names) are reached only so.
    /// </summary>
    private void DialMore()
    {
        if (_state is not (TorrentState.Downloading or TorrentState.FetchingMetadata or TorrentState.Seeding))
        {
            return;
        }

        var room = Math.Min(_options.MaxConnections - _peers.Count - _connecting, _options.MaxHalfOpen - _connecting);
        foreach (var candidate in _candidates.ToDial(_time.GetTimestamp(), room))
        {
            if (!_sessionLimits.TryAcquireConnection())
            {
                break;
            }

            Dial(candidate);
        }
    }

    private void Dial(PeerCandidate candidate)
    {
        candidate.State = PeerCandidateState.Connecting;
        _connecting++;
        var endPoint = candidate.EndPoint;
        var options = HandshakeOptions;
        var token = _stopping.Token;
        var id = Interlocked.Increment(ref _nextLinkId);
        var wireLogger = _loggers.CreateLogger<PeerWire>();
        var linkLogger = _loggers.CreateLogger<PeerLink>();
        ConnectionThread.Start($"TorrentPS peer {endPoint}", () =>
        {
            PeerWire wire;
            try
            {
                wire = HandshakeExchange.Dial(endPoint, InfoHash, options, wireLogger, token);
            }
            catch (Exception ex)
            {
                Post(new SwarmEvent.ConnectFailed(endPoint, ex is PeerException peer ? peer.Reason : ex.Message));
                return;
            }

            new PeerLink(wire, id, _pieces, Post, linkLogger, _transferLimits).Run();
        });
    }

    private void OnConnectFailed(IPEndPoint endPoint, string reason)
    {
        _connecting--;
        _sessionLimits.ReleaseConnection();
        _lastError = $"peer {endPoint}: {reason}";
        _logger.LogDebug("{Torrent}: dialling {Peer} failed: {Reason}", Name, endPoint, reason);
        if (_candidates.Get(endPoint) is { } candidate)
        {
            _candidates.Failed(candidate, _time.GetTimestamp(), reason);
        }
    }

    private void OnPeerConnected(IPeerLink link)
    {
        var candidate = link.IsOutgoing ? _candidates.Get(link.EndPoint) : null;
        if (link.IsOutgoing)
        {
            _connecting--;
        }

        // An outgoing connection took its session slot when the dial started; an incoming one takes it now.
        var refusal = !link.IsOutgoing && !_sessionLimits.TryAcquireConnection() ? "the session's connection limit is reached"
            : _state is TorrentState.Stopping ? "the torrent is stopping"
            : _peers.Count >= _options.MaxConnections ? "the torrent's connection limit is reached"
            : link.PeerId.Equals(_identity.PeerId) ? "it is ourselves"
            : _bannedPeerIds.Contains(link.PeerId) || _bannedAddresses.Contains(link.EndPoint.Address) ? "it is banned for sending bad data"
            : _peers.Values.Any(p => p.Link.PeerId.Equals(link.PeerId)) ? "already connected to this peer"
            : null;
        if (refusal is not null)
        {
            _logger.LogDebug("{Torrent}: dropping {Peer}: {Reason}", Name, link.EndPoint, refusal);
            if (candidate is not null && refusal == "it is ourselves")
            {
                _candidates.Ban(candidate, refusal);
            }
            else if (candidate is not null)
            {
                // Not left connecting for ever: dialled again after the back-off (say when the other connection ends).
                _candidates.Failed(candidate, _time.GetTimestamp(), refusal);
            }

            if (link.IsOutgoing || refusal != "the session's connection limit is reached")
            {
                _sessionLimits.ReleaseConnection();
            }

            link.Close(refusal);
            return;
        }

        var now = _time.GetTimestamp();
        var peer = new PeerState(link, now, RateWindow);
        _peers.Add(link.Id, peer);
        if (candidate is not null)
        {
            candidate.State = PeerCandidateState.Connected;
        }

        _logger.LogDebug("{Torrent}: connected to {Peer} ({Direction})", Name, peer, link.IsOutgoing ? "outgoing" : "incoming");
        SendWhatWeHave(peer);
        _chokeSoon = true;
    }

    /// <summary>Our bitfield (or have all / have none with BEP 6) to a new peer; nothing while a magnet's metadata is unknown.</summary>
    private void SendWhatWeHave(PeerState peer)
    {
        var link = peer.Link;
        if (_picker is null)
        {
            if (link.FastExtension)
            {
                link.Enqueue(OutgoingMessage.Signal(PeerMessageType.HaveNone));
            }
        }
        else if (_picker.Have.IsComplete && link.FastExtension)
        {
            link.Enqueue(OutgoingMessage.Signal(PeerMessageType.HaveAll));
        }
        else if (_picker.Have.IsEmpty)
        {
            if (link.FastExtension)
            {
                link.Enqueue(OutgoingMessage.Signal(PeerMessageType.HaveNone));
            }
        }
        else
        {
            link.Enqueue(OutgoingMessage.Bitfield(_picker.Have.ToArray()));
        }

        _needFlush.Add(peer);
    }

    private void OnPeerClosed(IPeerLink link, string reason)
    {
        _uploadedByClosed += link.UploadedBytes;
        if (!_peers.Remove(link.Id, out var peer))
        {
            return;
        }

        _sessionLimits.ReleaseConnection();
        var now = _time.GetTimestamp();
        foreach (var block in peer.Outstanding)
        {
            _picker?.Release(block);
        }

        if (peer.Outstanding.Count > 0)
        {
            foreach (var other in _peers.Values)
            {
                _needRequests.Add(other);
            }
        }

        peer.Outstanding.Clear();
        if (peer.IsSeed)
        {
            _picker?.RemoveSeed();
        }
        else if (peer.Have is { } have && _picker is not null)
        {
            _picker.RemoveAvailability(have);
        }

        _metadata?.PeerGone(peer.Id);
        if (link.IsOutgoing && _candidates.Get(link.EndPoint) is { } candidate)
        {
            if (link.DownloadedBytes > 0 || link.UploadedBytes > 0)
            {
                _candidates.Disconnected(candidate, now, reason);
            }
            else
            {
                _candidates.Failed(candidate, now, reason);
            }
        }

        if (!peer.AmChoking)
        {
            _chokeSoon = true;
        }

        if (_optimistic == peer.Id)
        {
            _optimistic = null;
        }

        _needRequests.Remove(peer);
        _needFlush.Remove(peer);
        _logger.LogDebug("{Torrent}: {Peer} left: {Reason}", Name, peer, reason);
        if (_state is not TorrentState.Stopping)
        {
            _lastError = $"peer {link.EndPoint}: {reason}";
        }
    }

    private void OnPeerMessages(IPeerLink link, PeerMessageBatch batch)
    {
        if (!_peers.TryGetValue(link.Id, out var peer))
        {
            return;
        }

        peer.LastActivityAt = _time.GetTimestamp();
        foreach (var message in batch.Messages)
        {
            switch (message.Type)
            {
                case PeerMessageType.Piece:
                    OnBlock(peer, message);
                    break;
                case PeerMessageType.Choke:
                    peer.PeerChoking = true;
                    if (!peer.Link.FastExtension)
                    {
                        // Without BEP 6 a choke drops every request; with it, the peer still serves them or rejects each one.
                        ReleaseOutstanding(peer, sendCancels: false);
                    }

                    break;
                case PeerMessageType.Unchoke:
                    peer.PeerChoking = false;
                    _needRequests.Add(peer);
                    break;
                case PeerMessageType.Interested:
                    peer.PeerInterested = true;
                    _chokeSoon |= peer.AmChoking;
                    break;
                case PeerMessageType.NotInterested:
                    peer.PeerInterested = false;
                    _chokeSoon |= !peer.AmChoking;
                    break;
                case PeerMessageType.Have:
                    OnHave(peer, message.Index);
                    break;
                case PeerMessageType.Bitfield:
                    OnBitfield(peer, message.Payload!);
                    break;
                case PeerMessageType.HaveAll:
                    OnHaveAll(peer);
                    break;
                case PeerMessageType.HaveNone:
                    break;
                case PeerMessageType.RejectRequest:
                    OnReject(peer, message);
                    break;
                case PeerMessageType.AllowedFast:
                    if (peer.AllowedFast.Count < 64 && (Info is null || message.Index < Info.PieceCount))
                    {
                        peer.AllowedFast.Add(message.Index);
                        _needRequests.Add(peer);
                    }

                    break;
                case PeerMessageType.Extended:
                    OnExtended(peer, message);
                    break;
            }

            if (!_peers.ContainsKey(link.Id))
            {
                return;
            }
        }
    }

    private void OnHave(PeerState peer, int index)
    {
        if (_picker is null)
        {
            (peer.EarlyHaves ??= []).Add(index);
            if (peer.EarlyHaves.Count > 1_000_000)
            {
                peer.Link.Close("sent over a million haves before the metadata arrived");
            }

            return;
        }

        if ((uint)index >= (uint)_picker.PieceCount || peer.Has(index))
        {
            return;
        }

        peer.Have ??= new Bitfield(_picker.PieceCount);
        if (peer.Have.Count == _picker.PieceCount - 1)
        {
            // Its last missing piece: now a seed, counted apart from per-piece availability.
            _picker.RemoveAvailability(peer.Have);
            peer.Have = null;
            peer.IsSeed = true;
            _picker.AddSeed();
        }
        else
        {
            peer.Have[index] = true;
            _picker.AddAvailability(index);
        }

        if (_picker.IsWantedAndMissing(index))
        {
            peer.Interesting++;
            UpdateInterest(peer);
            _needRequests.Add(peer);
        }
    }

    private void OnBitfield(PeerState peer, byte[] bytes)
    {
        if (_picker is null)
        {
            peer.EarlyBitfield = bytes;
            peer.EarlyHaves = null;
            return;
        }

        Bitfield have;
        try
        {
            have = new Bitfield(_picker.PieceCount, bytes);
        }
        catch (FormatException ex)
        {
            peer.Link.Close($"sent a bad bitfield: {ex.Message}");
            return;
        }

        ForgetAvailability(peer);
        if (have.IsComplete)
        {
            OnHaveAll(peer);
            return;
        }

        peer.Have = have;
        _picker.AddAvailability(have);
        peer.Interesting = 0;
        for (var i = have.NextIndex(0); i >= 0; i = have.NextIndex(i + 1))
        {
            if (_picker.IsWantedAndMissing(i))
            {
                peer.Interesting++;
            }
        }

        UpdateInterest(peer);
        _needRequests.Add(peer);
    }

    private void OnHaveAll(PeerState peer)
    {
        if (_picker is null)
        {
            peer.SaidHaveAll = true;
            return;
        }

        if (peer.IsSeed)
        {
            return;
        }

        ForgetAvailability(peer);
        peer.IsSeed = true;
        peer.Have = null;
        _picker.AddSeed();
        peer.Interesting = _picker.MissingCount;
        UpdateInterest(peer);
        _needRequests.Add(peer);
    }

    private void ForgetAvailability(PeerState peer)
    {
        if (peer.IsSeed)
        {
            _picker!.RemoveSeed();
            peer.IsSeed = false;
        }
        else if (peer.Have is { } previous)
        {
            _picker!.RemoveAvailability(previous);
        }
    }

    /// <summary>Applies what peers said before the piece count was known, and tells them what we have (metadata just arrived, or the check just ended).</summary>
    private void AdoptPiecesForConnectedPeers()
    {
        foreach (var peer in _peers.Values.ToArray())
        {
            if (peer.EarlyBitfield is { } bitfield)
            {
                peer.EarlyBitfield = null;
                OnBitfield(peer, bitfield);
            }
            else if (peer.SaidHaveAll)
            {
                OnHaveAll(peer);
            }

            if (peer.EarlyHaves is { } haves)
            {
                peer.EarlyHaves = null;
                foreach (var index in haves)
                {
                    OnHave(peer, index);
                }
            }

            if (!peer.Link.FastExtension && _picker is { } picker && !picker.Have.IsEmpty)
            {
                peer.Link.Enqueue(OutgoingMessage.Bitfield(picker.Have.ToArray()));
                _needFlush.Add(peer);
            }
            else if (_picker is { } known && !known.Have.IsEmpty)
            {
                // A fast peer heard have none from us before the metadata: what we have since goes as haves.
                for (var i = known.Have.NextIndex(0); i >= 0; i = known.Have.NextIndex(i + 1))
                {
                    peer.Link.Enqueue(OutgoingMessage.Have(i));
                }

                _needFlush.Add(peer);
            }
        }
    }

    /// <summary>We want something from the peer exactly when it has a piece we want and lack.</summary>
    private void UpdateInterest(PeerState peer)
    {
        var want = _picker is { IsComplete: false } && peer.Interesting > 0;
        if (want == peer.AmInterested)
        {
            return;
        }

        peer.AmInterested = want;
        peer.Link.Enqueue(OutgoingMessage.Signal(want ? PeerMessageType.Interested : PeerMessageType.NotInterested));
        _needFlush.Add(peer);
    }

    private void OnExtended(PeerState peer, in IncomingMessage message)
    {
        if (message.ExtendedId == 0)
        {
            try
            {
                peer.Extensions = ExtensionHandshake.Decode(message.Payload);
            }
            catch (PeerProtocolException ex)
            {
                peer.Link.Close($"sent a bad extension handshake: {ex.Reason}");
                return;
            }

            peer.RequestQueueLimit = peer.Extensions.RequestQueueLimit;
            OnExtensionHandshake(peer);
            return;
        }

        if (message.ExtendedId == ExtensionHandshake.LocalUtMetadataId)
        {
            OnMetadataMessage(peer, message.Payload!);
        }
    }
}
