using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What each connected peer has (bitfield, have, have all), counted for the picker's rarest first, and whether we are
/// interested in it; what we have, told to new peers and, as haves, when pieces are verified. Before a magnet's
/// metadata gives the piece count, what peers say is kept and applied once it is known (<see cref="Adopt"/>).
/// Owned by the loop; it writes the pieces half of <see cref="PeerState"/>.
/// </summary>
internal sealed class PeerAvailability(PeerOutbox outbox, IConnectedPeers peers)
{
    /// <summary>Haves a peer may send before the metadata arrives; beyond that it is dropped.</summary>
    public const int MaxEarlyHaves = 1_000_000;

    private PiecePicker? _picker;

    /// <summary>
    /// The pieces became known (the check ended): what peers said so far counts from now on, and they hear what we have.
    /// Every connected peer goes into <paramref name="wake"/> (its pipeline may now fill).
    /// </summary>
    public void Adopt(PiecePicker picker, List<PeerState> wake)
    {
        _picker = picker;
        foreach (var peer in peers.Connected)
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

            if (!peer.Link.FastExtension && !picker.Have.IsEmpty)
            {
                outbox.Send(peer, OutgoingMessage.Bitfield(picker.Have.ToArray()));
            }
            else if (!picker.Have.IsEmpty)
            {
                // A fast peer heard have none from us before the metadata: what we have since goes as haves.
                for (var i = picker.Have.NextIndex(0); i >= 0; i = picker.Have.NextIndex(i + 1))
                {
                    outbox.Send(peer, OutgoingMessage.Have(i));
                }
            }

            wake.Add(peer);
        }
    }

    /// <summary>Our bitfield (or have all / have none with BEP 6) to a new peer; have none while a magnet's metadata is unknown.</summary>
    public void Greet(PeerState peer)
    {
        var link = peer.Link;
        if (_picker is null || _picker.Have.IsEmpty)
        {
            if (link.FastExtension)
            {
                outbox.Send(peer, OutgoingMessage.Signal(PeerMessageType.HaveNone));
            }
        }
        else if (_picker.Have.IsComplete && link.FastExtension)
        {
            outbox.Send(peer, OutgoingMessage.Signal(PeerMessageType.HaveAll));
        }
        else
        {
            outbox.Send(peer, OutgoingMessage.Bitfield(_picker.Have.ToArray()));
        }
    }

    /// <summary>A have: true when the peer now has something we want (its pipeline may fill).</summary>
    public bool OnHave(PeerState peer, int index)
    {
        if (_picker is null)
        {
            (peer.EarlyHaves ??= []).Add(index);
            if (peer.EarlyHaves.Count > MaxEarlyHaves)
            {
                peer.Link.Close("sent over a million haves before the metadata arrived");
            }

            return false;
        }

        if ((uint)index >= (uint)_picker.PieceCount || peer.Has(index))
        {
            return false;
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

        if (!_picker.IsWantedAndMissing(index))
        {
            return false;
        }

        peer.Interesting++;
        UpdateInterest(peer);
        return true;
    }

    /// <summary>A bitfield: true when the pieces are known (its pipeline may fill); a bad one closes the connection.</summary>
    public bool OnBitfield(PeerState peer, byte[] bytes)
    {
        if (_picker is null)
        {
            peer.EarlyBitfield = bytes;
            peer.EarlyHaves = null;
            return false;
        }

        Bitfield have;
        try
        {
            have = new Bitfield(_picker.PieceCount, bytes);
        }
        catch (FormatException ex)
        {
            peer.Link.Close($"sent a bad bitfield: {ex.Message}");
            return false;
        }

        Forget(peer);
        if (have.IsComplete)
        {
            return OnHaveAll(peer);
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
        return true;
    }

    /// <summary>A have all (BEP 6), or a full bitfield: the peer is a seed.</summary>
    public bool OnHaveAll(PeerState peer)
    {
        if (_picker is null)
        {
            peer.SaidHaveAll = true;
            return false;
        }

        if (peer.IsSeed)
        {
            return false;
        }

        Forget(peer);
        peer.IsSeed = true;
        peer.Have = null;
        _picker.AddSeed();
        peer.Interesting = _picker.MissingCount;
        UpdateInterest(peer);
        return true;
    }

    /// <summary>The peer left: its pieces no longer count.</summary>
    public void PeerGone(PeerState peer)
    {
        if (_picker is not null)
        {
            Forget(peer);
        }
    }

    /// <summary>A piece was verified: peers that lack it hear a have; peers that have it are less interesting.</summary>
    public void OnPieceVerified(int index)
    {
        var wanted = _picker!.Wanted[index];
        foreach (var peer in peers.Connected)
        {
            if (peer.Has(index))
            {
                if (wanted)
                {
                    peer.Interesting--;
                    UpdateInterest(peer);
                }
            }
            else
            {
                outbox.Send(peer, OutgoingMessage.Have(index));
            }
        }
    }

    /// <summary>Interest checked again for every peer (the download completed).</summary>
    public void UpdateInterestAll()
    {
        foreach (var peer in peers.Connected)
        {
            UpdateInterest(peer);
        }
    }

    /// <summary>
    /// The picker follows another plan (other files chosen): each peer's count of pieces we want from it is made again,
    /// and peers hear whether we are interested now. Every peer we are interested in goes into <paramref name="wake"/>.
    /// </summary>
    public void Recount(List<PeerState> wake)
    {
        if (_picker is null)
        {
            return;
        }

        foreach (var peer in peers.Connected)
        {
            if (peer.IsSeed)
            {
                peer.Interesting = _picker.MissingCount;
            }
            else
            {
                peer.Interesting = 0;
                if (peer.Have is { } have)
                {
                    for (var i = have.NextIndex(0); i >= 0; i = have.NextIndex(i + 1))
                    {
                        if (_picker.IsWantedAndMissing(i))
                        {
                            peer.Interesting++;
                        }
                    }
                }
            }

            UpdateInterest(peer);
            if (peer.AmInterested)
            {
                wake.Add(peer);
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
        outbox.Send(peer, OutgoingMessage.Signal(want ? PeerMessageType.Interested : PeerMessageType.NotInterested));
    }

    private void Forget(PeerState peer)
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
}
