using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Text;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The loop's dispatch: each event, and each message of a peer's batch, handed to the parts it concerns, in the order
/// the parts need (the roster first for a peer that comes or goes, then the others to forget it).
/// </summary>
internal sealed partial class TorrentRun
{
    private void Handle(SwarmEvent message)
    {
        switch (message)
        {
            case SwarmEvent.PeerMessages m:
                try
                {
                    OnPeerMessages(m.Link, m.Batch);
                }
                finally
                {
                    m.Batch.Return();
                }

                break;
            case SwarmEvent.PieceVerified v:
                OnPieceVerified(v.Index);
                break;
            case SwarmEvent.PieceFailed f:
                _ledger.OnFailed(f.Index, f.Contributors);
                _requests.WakeAll();
                break;
            case SwarmEvent.PeerConnected c:
                OnPeerConnected(c.Link);
                break;
            case SwarmEvent.PeerClosed c:
                OnPeerClosed(c.Link, c.Reason);
                break;
            case SwarmEvent.ConnectFailed f:
                _roster.ConnectFailed(f.EndPoint, f.Reason);
                DialMore();
                break;
            case SwarmEvent.PeersFound p:
                if (_roster.Add(p.Peers) > 0)
                {
                    DialMore();
                }

                break;
            case SwarmEvent.Tick:
                OnTick();
                break;
            case SwarmEvent.CheckFinished c:
                OnCheckFinished(c.Verified, c.Error);
                break;
            case SwarmEvent.StorageFailed s:
                _logger.LogError("{Torrent}: writing piece {Index} failed: {Reason}", Name, s.Index, s.Error.Message);
                Fail(s.Error);
                break;
            case SwarmEvent.TrackerAnswered t:
                _logger.LogDebug("{Torrent}: {Tracker} named {Count}", Name, t.Url, Units.Count(t.PeerCount, "peer"));
                break;
            case SwarmEvent.TrackerFailed t:
                NoteError($"tracker {t.Url}: {t.Reason}");
                break;
            case SwarmEvent.Stop s:
                BeginStop(s.Reason, _ledger.IsComplete ? TorrentState.Completed : TorrentState.Stopped);
                break;
            case SwarmEvent.ChangeSelection c:
                OnChangeSelection(c.Change, c.Done);
                break;
            case SwarmEvent.SelectionChanged c:
                OnSelectionChanged(c.Selection, c.Error, c.Waiters);
                break;
            case SwarmEvent.Barrier b:
                b.Action();
                break;
        }
    }

    private void OnPeerConnected(IPeerLink link)
    {
        if (_roster.Admit(link, stopping: _state is TorrentState.Stopping) is not { } peer)
        {
            return;
        }

        _availability.Greet(peer);
        _pex?.Connected(peer.Id, link.EndPoint, link.IsOutgoing);
        _choker.RequestRound();
    }

    private void OnPeerClosed(IPeerLink link, string reason)
    {
        if (_roster.Remove(link, reason, stopping: _state is TorrentState.Stopping, seeding: Seeding) is not { } peer)
        {
            return;
        }

        _requests.PeerGone(peer);
        _availability.PeerGone(peer);
        _metadata.PeerGone(peer);
        _choker.PeerGone(peer);
        _pex?.Closed(peer.Id);
    }

    /// <summary>The messages of one receive, each to the part it concerns.</summary>
    private void OnPeerMessages(IPeerLink link, PeerMessageBatch batch)
    {
        if (!_roster.TryGet(link.Id, out var peer))
        {
            return;
        }

        peer.LastActivityAt = _time.GetTimestamp();
        foreach (var message in batch.Messages)
        {
            switch (message.Type)
            {
                case PeerMessageType.Piece:
                    if (!_requests.OnBlock(peer, message))
                    {
                        return;
                    }

                    break;
                case PeerMessageType.Choke:
                    _requests.OnChoke(peer);
                    break;
                case PeerMessageType.Unchoke:
                    _requests.OnUnchoke(peer);
                    break;
                case PeerMessageType.Interested:
                    _choker.OnInterest(peer, interested: true);
                    break;
                case PeerMessageType.NotInterested:
                    _choker.OnInterest(peer, interested: false);
                    break;
                case PeerMessageType.Have:
                    WakeIf(peer, _availability.OnHave(peer, message.Index));
                    CloseIfRedundant(peer);
                    break;
                case PeerMessageType.Bitfield:
                    WakeIf(peer, _availability.OnBitfield(peer, message.Payload!));
                    CloseIfRedundant(peer);
                    break;
                case PeerMessageType.HaveAll:
                    WakeIf(peer, _availability.OnHaveAll(peer));
                    CloseIfRedundant(peer);
                    break;
                case PeerMessageType.RejectRequest:
                    _requests.OnReject(peer, message);
                    break;
                case PeerMessageType.AllowedFast:
                    _requests.OnAllowedFast(peer, message.Index);
                    break;
                case PeerMessageType.Extended:
                    OnExtended(peer, message);
                    break;
            }

            if (!_roster.TryGet(link.Id, out _))
            {
                return;
            }
        }
    }

    /// <summary>
    /// While we seed every piece, a connection to another seed is of no use to either side: it closes (and the seed is
    /// left alone for a while). Seeding only the chosen files is not that: another file may be chosen later.
    /// </summary>
    private void CloseIfRedundant(PeerState peer)
    {
        if (peer.IsSeed && _state == TorrentState.Seeding && Info is { } info && _ledger.VerifiedPieces == info.PieceCount)
        {
            peer.Link.Close(RedundantReason);
        }
    }

    private const string RedundantReason = "both sides have every piece";

    private void WakeIf(PeerState peer, bool wake)
    {
        if (wake)
        {
            _requests.Wake(peer);
        }
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
            _roster.OnExtensionHandshake(peer);
            _metadata.OnExtensionHandshake(peer);
            _pex?.ExtensionHandshakeReceived(peer.Id, peer.Extensions);
            return;
        }

        if (message.ExtendedId == ExtensionHandshake.LocalUtPexId)
        {
            OnPeerExchange(peer, message.Payload!);
            return;
        }

        if (message.ExtendedId == ExtensionHandshake.LocalUtMetadataId
            && _metadata.OnMessage(peer, message.Payload!, Info?.GetRawInfo()) is { } rawInfo)
        {
            OnMetadataComplete(rawInfo);
        }
    }

    private void OnPieceVerified(int index)
    {
        if (!_ledger.OnVerified(index))
        {
            return;
        }

        _requests.OnPieceVerified(index);
        _availability.OnPieceVerified(index);
        if (_ledger.IsComplete && _state == TorrentState.Downloading)
        {
            OnDownloadComplete(alreadyComplete: false);
        }
    }

    /// <summary>A ut_pex message: the peers it names join the roster; a peer that floods or garbles them is dropped.</summary>
    private void OnPeerExchange(PeerState peer, byte[] body)
    {
        if (_pex is null)
        {
            return;
        }

        _pexCandidates.Clear();
        var intake = _pex.Receive(peer.Id, body, _pexCandidates);
        if (intake.ShouldDisconnect)
        {
            peer.Link.Close(intake.Reason ?? "sent bad peer exchange messages");
            return;
        }

        if (_pexCandidates.Count == 0)
        {
            return;
        }

        var found = new TorrentPeer[_pexCandidates.Count];
        for (var i = 0; i < found.Length; i++)
        {
            var endPoint = _pexCandidates[i].EndPoint;
            found[i] = new TorrentPeer(endPoint.Address, endPoint.Port, InfoHash, PeerSource.Pex);
        }

        _logger.LogDebug("{Torrent}: {Peer} named {Count} through peer exchange", Name, peer, Units.Count(found.Length, "peer"));
        if (_roster.Add(found) > 0)
        {
            DialMore();
        }
    }
}
