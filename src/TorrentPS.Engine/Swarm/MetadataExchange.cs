using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The torrent's metadata over ut_metadata (BEP 9): fetched from peers while a magnet link's torrent is unknown (the
/// <see cref="MetadataFetcher"/> decides what to ask whom), served to peers once it is known (rejected before). Each
/// answer we serve is built once per piece and shared by every request for it, and a peer's send queue holds at most one
/// copy of it waiting (<see cref="SendQueue"/>): a peer asking 200,000 times without reading costs nothing. A peer that
/// keeps sending ut_metadata messages nobody asked for (data, rejects, garbage) is dropped after
/// <see cref="MaxUnsolicited"/> of them, and what such peers make us log is rate-limited. Owned by the loop.
/// </summary>
internal sealed class MetadataExchange
{
    /// <summary>How long a metadata request may go unanswered before it is asked of another peer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>ut_metadata messages nobody asked for that a peer may send before it is dropped (a few duplicates are honest).</summary>
    public const int MaxUnsolicited = 16;

    private readonly InfoHash _infoHash;
    private readonly IConnectedPeers _peers;
    private readonly PeerOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogRateLimiter _logLimit;
    private readonly string _name;
    private readonly Action<string> _noteError;
    private readonly Dictionary<int, int> _unsolicited = new();
    private readonly byte[]?[] _rejects = new byte[UtMetadataMessage.PieceCount(UtMetadataMessage.MaxMetadataSize)][];
    private ReadOnlyMemory<byte> _servedFor;
    private byte[]?[] _answers = [];
    private MetadataFetcher? _fetcher;

    public MetadataExchange(InfoHash infoHash, IConnectedPeers peers, PeerOutbox outbox, Action<string> noteError, TimeProvider time, ILogger logger, string name)
    {
        _noteError = noteError;
        _infoHash = infoHash;
        _peers = peers;
        _outbox = outbox;
        _time = time;
        _logger = logger;
        _logLimit = new LogRateLimiter(time);
        _name = name;
    }

    /// <summary>Whether the metadata is being fetched.</summary>
    public bool IsFetching => _fetcher is not null;

    /// <summary>The metadata our peers serve us from now on, until <see cref="StopFetching"/>.</summary>
    public void StartFetching()
        => _fetcher = new MetadataFetcher(_infoHash, (long)(RequestTimeout.TotalSeconds * _time.TimestampFrequency));

    /// <summary>The metadata arrived (or the fetch is over): nothing more is asked.</summary>
    public void StopFetching() => _fetcher = null;

    /// <summary>The peer's extension handshake came: a peer offering metadata of a believable size is asked for it.</summary>
    public void OnExtensionHandshake(PeerState peer)
    {
        if (_fetcher is null || peer.Extensions is not { } extensions)
        {
            return;
        }

        if (extensions.GetMessageId(ExtensionHandshake.UtMetadata) is null || extensions.MetadataSize is not { } size)
        {
            return;
        }

        if (!_fetcher.Offer(peer.Id, size))
        {
            _logger.LogInformation("{Torrent}: {Peer} announces metadata of {Size} bytes, which is not believable; not asking it", _name, peer, size);
            return;
        }

        // A switch of size (the one asked so far was a liar's) may give others something to do too.
        RequestFromAll();
    }

    /// <summary>
    /// A ut_metadata message. Returns the whole info dictionary when it completed and hashed to the info hash;
    /// <paramref name="served"/> is the info dictionary we have to serve (null before we know it).
    /// </summary>
    public byte[]? OnMessage(PeerState peer, byte[] body, ReadOnlyMemory<byte>? served)
    {
        UtMetadataMessage message;
        try
        {
            message = UtMetadataMessage.Decode(body, served?.Length ?? _fetcher?.Size);
        }
        catch (PeerProtocolException ex)
        {
            if (_fetcher is not null && !_fetcher.IsExcluded(peer.Id))
            {
                _fetcher.OnReject(peer.Id, -1);
                _logger.LogInformation("{Torrent}: {Peer} is not asked for metadata any more: {Reason}", _name, peer, ex.Reason);
                RequestFromAll();
            }

            Unsolicited(peer, ex.Reason);
            return null;
        }

        if (message.Type == UtMetadataMessageType.Request)
        {
            Serve(peer, message.Piece, served);
            return null;
        }

        if (_fetcher is null || !_fetcher.TakeAnswer(peer.Id, message.Piece))
        {
            Unsolicited(peer, $"a ut_metadata {message.Type.ToString().ToLowerInvariant()} of piece {message.Piece}, which nobody asked it for");
            return null;
        }

        if (message.Type == UtMetadataMessageType.Reject)
        {
            _fetcher.OnReject(peer.Id, message.Piece);
            _logger.LogDebug("{Torrent}: {Peer} rejected metadata piece {Piece}", _name, peer, message.Piece);
            RequestFromAll();
            return null;
        }

        return OnData(peer, message);
    }

    /// <summary>The clock: requests unanswered for too long go to others.</summary>
    public void Tick(long now)
    {
        if (_fetcher is null)
        {
            return;
        }

        _fetcher.Expire(now);
        RequestFromAll();
    }

    public void PeerGone(PeerState peer)
    {
        _fetcher?.PeerGone(peer.Id);
        _unsolicited.Remove(peer.Id);
    }

    /// <summary>One more message nobody asked for: counted, and the peer dropped past <see cref="MaxUnsolicited"/>.</summary>
    private void Unsolicited(PeerState peer, string what)
    {
        var count = _unsolicited[peer.Id] = _unsolicited.GetValueOrDefault(peer.Id) + 1;
        if (count > MaxUnsolicited)
        {
            _unsolicited.Remove(peer.Id);
            _peers.Drop(peer, $"sent over {MaxUnsolicited} ut_metadata messages nobody asked for (the last: {what})");
            return;
        }

        if (_logLimit.ShouldLog("unsolicited", out var leftOut))
        {
            _logger.LogDebug("{Torrent}: {Peer} sent {What}{LeftOut}", _name, peer, what, LogRateLimiter.Note(leftOut));
        }
    }

    private byte[]? OnData(PeerState peer, in UtMetadataMessage message)
    {
        var result = _fetcher!.OnData(peer.Id, message.Piece, message.TotalSize, message.Data.Span);
        switch (result.Kind)
        {
            case MetadataResultKind.Completed:
                return result.Metadata!;
            case MetadataResultKind.HashMismatch:
                _noteError("metadata from peers did not match the info hash");
                _logger.LogWarning("{Torrent}: the metadata assembled from {Peers} does not match the info hash; fetching it again from others", _name, string.Join(", ", result.Suppliers!.Select(Describe)));
                foreach (var supplier in result.Suppliers!)
                {
                    if (_peers.TryGet(supplier, out var liar))
                    {
                        liar.Strikes += 2;
                    }
                }

                RequestFromAll();
                return null;
            case MetadataResultKind.PeerDropped:
                _logger.LogInformation("{Torrent}: {Peer} is not asked for metadata any more: {Reason}", _name, peer, result.Reason);
                RequestFromAll();
                return null;
            default:
                Request(peer);
                return null;
        }
    }

    /// <summary>Asks a peer for the metadata pieces the fetcher gives it.</summary>
    private void Request(PeerState peer)
    {
        if (_fetcher is null || peer.Extensions?.GetMessageId(ExtensionHandshake.UtMetadata) is not { } id)
        {
            return;
        }

        foreach (var piece in _fetcher.NextRequests(peer.Id, _time.GetTimestamp()))
        {
            _outbox.Send(peer, OutgoingMessage.Extended(id, Encode(w => UtMetadataMessage.WriteRequest(w, piece))));
        }
    }

    private void RequestFromAll()
    {
        foreach (var peer in _peers.Connected)
        {
            Request(peer);
        }
    }

    /// <summary>
    /// A peer asks for a piece of our metadata: data when we have it, a reject before. The answer for each piece is built
    /// once and shared (its send queue keeps one copy of it waiting); a request for a piece no metadata can have is
    /// not answered and counts as unsolicited.
    /// </summary>
    private void Serve(PeerState peer, int piece, ReadOnlyMemory<byte>? served)
    {
        if (peer.Extensions?.GetMessageId(ExtensionHandshake.UtMetadata) is not { } id)
        {
            return;
        }

        byte[] body;
        if (served is { } metadata && piece < UtMetadataMessage.PieceCount(metadata.Length))
        {
            if (!_servedFor.Equals(metadata))
            {
                _servedFor = metadata;
                _answers = new byte[UtMetadataMessage.PieceCount(metadata.Length)][];
            }

            body = _answers[piece] ??= Encode(w => UtMetadataMessage.WriteData(w, piece, metadata.Span));
        }
        else if (piece < _rejects.Length)
        {
            body = _rejects[piece] ??= Encode(w => UtMetadataMessage.WriteReject(w, piece));
        }
        else
        {
            Unsolicited(peer, $"a ut_metadata request of piece {piece}, which no metadata has");
            return;
        }

        _outbox.Send(peer, OutgoingMessage.Extended(id, body));
    }

    private string Describe(int id) => _peers.TryGet(id, out var peer) ? peer.ToString() : $"#{id} (gone)";

    private static byte[] Encode(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
