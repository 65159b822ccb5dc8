using System.Security.Cryptography;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Fetches a magnet link's info dictionary from peers (BEP 9): the size the peers announce (absurd sizes refused), its
/// 16 KiB pieces asked of several peers at once, a reject or a piece of the wrong size drops that peer for metadata, a
/// request unanswered in time goes to another peer, and the assembled dictionary must hash to the info hash; when it
/// does not, it is thrown away. A copy one peer supplied alone convicts that peer: it is not asked again. A copy mixed
/// from several peers convicts nobody (the honest ones among them are needed): from then on each copy comes whole from
/// one peer at a time, so the next failure names the liar. A size whose copy failed is tried again only when no other
/// size is offered: the next copy is of the size other peers announce (a liar announcing a wrong size and asked first
/// does not keep the fetch on it). It remembers which pieces it asked of whom, so an answer nobody asked for is told
/// apart. Owned by the loop; no I/O.
/// </summary>
internal sealed class MetadataFetcher
{
    /// <summary>Requests outstanding with one peer at most.</summary>
    public const int MaxRequestsPerPeer = 4;

    private readonly InfoHash _infoHash;
    private readonly long _timeout;
    private readonly Dictionary<int, long> _offers = new();
    private readonly HashSet<int> _excluded = new();
    private readonly Dictionary<int, int> _timeouts = new();
    private readonly Dictionary<long, int> _sizeFailures = new();
    private readonly Dictionary<int, HashSet<int>> _asked = new();
    private byte[]? _buffer;
    private int[] _requestedFrom = [];
    private long[] _requestedAt = [];
    private int[] _suppliedBy = [];
    private bool[] _received = [];
    private int _receivedCount;
    private bool _onePeerPerCopy;
    private int _copySupplier = -1;

    /// <param name="requestTimeout">How long a piece request may go unanswered, in timestamp units.</param>
    public MetadataFetcher(InfoHash infoHash, long requestTimeout)
    {
        _infoHash = infoHash;
        _timeout = requestTimeout;
    }

    /// <summary>The size being fetched, once a peer announced one.</summary>
    public long? Size { get; private set; }

    public int PieceCount => _received.Length;

    /// <summary>Times the assembled metadata did not match the info hash.</summary>
    public int HashFailures { get; private set; }

    /// <summary>A peer's extension handshake announced <paramref name="size"/>; false (and ignored) when the size is absurd.</summary>
    public bool Offer(int peerId, long size)
    {
        if (size <= 0 || size > UtMetadataMessage.MaxMetadataSize)
        {
            _excluded.Add(peerId);
            return false;
        }

        _offers[peerId] = size;
        if (Size is null || (_receivedCount == 0 && _sizeFailures.ContainsKey(Size.Value) && !_sizeFailures.ContainsKey(size)))
        {
            Begin(size);
        }
        else if (PeersOfferingSize(Size.Value) == 0 && _receivedCount == 0)
        {
            Begin(ChooseSize() ?? size);
        }

        return true;
    }

    /// <summary>The peer left: its requests go to others.</summary>
    public void PeerGone(int peerId)
    {
        _offers.Remove(peerId);
        _asked.Remove(peerId);
        if (_copySupplier == peerId)
        {
            _copySupplier = -1;
        }

        for (var i = 0; i < _requestedFrom.Length; i++)
        {
            if (_requestedFrom[i] == peerId && !_received[i])
            {
                _requestedFrom[i] = -1;
            }
        }
    }

    /// <summary>Pieces to ask <paramref name="peerId"/> for now (missing pieces nobody is asked for, up to its share).</summary>
    public List<int> NextRequests(int peerId, long now)
    {
        var pieces = new List<int>();
        if (Size is not { } size || !_offers.TryGetValue(peerId, out var offered) || offered != size || _excluded.Contains(peerId))
        {
            return pieces;
        }

        if (_onePeerPerCopy)
        {
            if (_copySupplier < 0)
            {
                _copySupplier = peerId;
            }
            else if (_copySupplier != peerId)
            {
                return pieces;
            }
        }

        var outstanding = 0;
        for (var i = 0; i < _requestedFrom.Length; i++)
        {
            outstanding += _requestedFrom[i] == peerId && !_received[i] ? 1 : 0;
        }

        for (var i = 0; i < _received.Length && outstanding < MaxRequestsPerPeer; i++)
        {
            if (!_received[i] && _requestedFrom[i] < 0)
            {
                _requestedFrom[i] = peerId;
                _requestedAt[i] = now;
                pieces.Add(i);
                if (!_asked.TryGetValue(peerId, out var asked))
                {
                    _asked[peerId] = asked = new HashSet<int>();
                }

                asked.Add(i);
                outstanding++;
            }
        }

        return pieces;
    }

    /// <summary>
    /// An answer (data or reject) for <paramref name="piece"/> came from <paramref name="peerId"/>: true when we asked it
    /// for that piece and it had not answered yet (a late answer after a time-out counts); false for anything else.
    /// </summary>
    public bool TakeAnswer(int peerId, int piece) => _asked.TryGetValue(peerId, out var asked) && asked.Remove(piece);

    /// <summary>A data message. Returns the whole info dictionary once it is complete and hashes to the info hash.</summary>
    public MetadataResult OnData(int peerId, int piece, long totalSize, ReadOnlySpan<byte> data)
    {
        if (Size is not { } size || totalSize != size || piece >= _received.Length || data.Length != UtMetadataMessage.GetPieceLength(piece, size))
        {
            Exclude(peerId);
            return MetadataResult.Dropped($"sent metadata piece {piece} of {data.Length} bytes for a total of {totalSize}; expected {Size?.ToString() ?? "no size"}");
        }

        if (_received[piece])
        {
            return MetadataResult.Nothing;
        }

        data.CopyTo(_buffer.AsSpan(piece * UtMetadataMessage.PieceLength));
        _received[piece] = true;
        _suppliedBy[piece] = peerId;
        _receivedCount++;
        if (_receivedCount < _received.Length)
        {
            return MetadataResult.Nothing;
        }

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(_buffer, hash);
        if (hash.SequenceEqual(_infoHash.AsSpan()))
        {
            return MetadataResult.Completed(_buffer!);
        }

        // Somebody lied. A sole supplier is known to have; among several, which one is not known: whole copies from one
        // peer at a time find out.
        HashFailures++;
        _sizeFailures[size] = _sizeFailures.GetValueOrDefault(size) + 1;
        var suppliers = _suppliedBy.Distinct().ToArray();
        if (suppliers.Length == 1)
        {
            _excluded.Add(suppliers[0]);
        }
        else
        {
            _onePeerPerCopy = true;
        }

        _copySupplier = -1;
        Begin(ChooseSize() ?? size);
        return MetadataResult.Mismatch(suppliers);
    }

    /// <summary>The peer rejected a request: it is not asked for metadata again.</summary>
    public void OnReject(int peerId, int piece)
    {
        Exclude(peerId);
    }

    /// <summary>Requests unanswered for too long go back to the pool; a peer that lets two lapse is not asked again.</summary>
    public void Expire(long now)
    {
        for (var i = 0; i < _requestedFrom.Length; i++)
        {
            var peer = _requestedFrom[i];
            if (peer >= 0 && !_received[i] && now - _requestedAt[i] > _timeout)
            {
                _requestedFrom[i] = -1;
                var lapses = _timeouts[peer] = _timeouts.GetValueOrDefault(peer) + 1;
                if (lapses >= 2)
                {
                    Exclude(peer);
                }
            }
        }
    }

    public bool IsExcluded(int peerId) => _excluded.Contains(peerId);

    private void Exclude(int peerId)
    {
        _excluded.Add(peerId);
        PeerGone(peerId);
        if (Size is { } size && PeersOfferingSize(size) == 0 && _receivedCount == 0 && ChooseSize() is { } other)
        {
            // Nobody left for this size: switch to another one offered.
            Begin(other);
        }
    }

    /// <summary>
    /// The size to fetch: of those offered by peers still asked, the one whose copies failed least, then the one most
    /// peers offer, then the current one; null when nobody is left to ask.
    /// </summary>
    private long? ChooseSize()
    {
        long? best = null;
        var bestFailures = int.MaxValue;
        var bestOffers = 0;
        foreach (var (peer, size) in _offers)
        {
            if (_excluded.Contains(peer) || size == best)
            {
                continue;
            }

            var failures = _sizeFailures.GetValueOrDefault(size);
            var offers = PeersOfferingSize(size);
            if (failures < bestFailures || (failures == bestFailures && (offers > bestOffers || (offers == bestOffers && size == Size))))
            {
                (best, bestFailures, bestOffers) = (size, failures, offers);
            }
        }

        return best;
    }

    private int PeersOfferingSize(long size) => _offers.Count(o => o.Value == size && !_excluded.Contains(o.Key));

    private void Begin(long size)
    {
        Size = size;
        var count = UtMetadataMessage.PieceCount(size);
        _buffer = new byte[size];
        _requestedFrom = Enumerable.Repeat(-1, count).ToArray();
        _requestedAt = new long[count];
        _suppliedBy = new int[count];
        _received = new bool[count];
        _receivedCount = 0;
    }
}

/// <summary>What a metadata message led to.</summary>
internal readonly record struct MetadataResult(MetadataResultKind Kind, byte[]? Metadata = null, int[]? Suppliers = null, string? Reason = null)
{
    public static MetadataResult Nothing => default;

    public static MetadataResult Completed(byte[] metadata) => new(MetadataResultKind.Completed, metadata);

    public static MetadataResult Mismatch(int[] suppliers) => new(MetadataResultKind.HashMismatch, Suppliers: suppliers);

    public static MetadataResult Dropped(string reason) => new(MetadataResultKind.PeerDropped, Reason: reason);
}

internal enum MetadataResultKind
{
    Nothing,
    Completed,
    HashMismatch,
    PeerDropped,
}
