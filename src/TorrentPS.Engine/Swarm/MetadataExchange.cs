using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The torrent's metadata over ut_metadata (BEP 9): fetched from peers while a magnet link's torrent is unknown (the
/// <see cref="MetadataFetcher"/> decides what to ask whom), served to peers once it is known (rejected before). Owned
/// by the loop.
/// </summary>
internal sealed class MetadataExchange
{
    /// <summary>How long a metadata request may go unanswered before it is asked of another peer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly InfoHash _infoHash;
    private readonly IConnectedPeers _peers;
    private readonly PeerOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Action<string> _noteError;
    private MetadataFetcher? _fetcher;

    public MetadataExchange(InfoHash infoHash, IConnectedPeers peers, PeerOutbox outbox, Action<string> noteError, TimeProvider time, ILogger logger, string name)
    {
        _noteError = noteError;
        _infoHash = infoHash;
        _peers = peers;
        _outbox = outbox;
        _time = time;
        _logger = logger;
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

        Request(peer);
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
            if (_fetcher is not null)
            {
                _fetcher.OnReject(peer.Id, -1);
                _logger.LogInformation("{Torrent}: {Peer} is not asked for metadata any more: {Reason}", _name, peer, ex.Reason);
                RequestFromAll();
            }

            return null;
        }

        switch (message.Type)
        {
            case UtMetadataMessageType.Request:
                Serve(peer, message.Piece, served);
                return null;
            case UtMetadataMessageType.Reject when _fetcher is not null:
                _fetcher.OnReject(peer.Id, message.Piece);
                _logger.LogDebug("{Torrent}: {Peer} rejected metadata piece {Piece}", _name, peer, message.Piece);
                RequestFromAll();
                return null;
            case UtMetadataMessageType.Data when _fetcher is not null:
                return OnData(peer, message);
            default:
                return null;
        }
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

    public void PeerGone(PeerState peer) => _fetcher?.PeerGone(peer.Id);

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

    /// <summary>A peer asks for a piece of our metadata: data when we have it, a reject before.</summary>
    private void Serve(PeerState peer, int piece, ReadOnlyMemory<byte>? served)
    {
        if (peer.Extensions?.GetMessageId(ExtensionHandshake.UtMetadata) is not { } id)
        {
            return;
        }

        var body = served is { } metadata && piece < UtMetadataMessage.PieceCount(metadata.Length)
            ? Encode(w => UtMetadataMessage.WriteData(w, piece, metadata.Span))
            : Encode(w => UtMetadataMessage.WriteReject(w, piece));
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
