using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The torrent's metadata over ut_metadata (BEP 9): fetched from peers while a magnet link's torrent is unknown, served
/// to peers once it is (rejected before).
/// </summary>
public sealed partial class Torrent
{
    private static readonly TimeSpan MetadataRequestTimeout = TimeSpan.FromSeconds(10);

    private MetadataFetcher? _metadata;

    private void OnExtensionHandshake(PeerState peer)
    {
        if (_metadata is null || peer.Extensions is not { } extensions)
        {
            return;
        }

        if (extensions.GetMessageId(ExtensionHandshake.UtMetadata) is null || extensions.MetadataSize is not { } size)
        {
            return;
        }

        if (!_metadata.Offer(peer.Id, size))
        {
            _logger.LogInformation("{Torrent}: {Peer} announces metadata of {Size} bytes, which is not believable; not asking it", Name, peer, size);
            return;
        }

        RequestMetadata(peer);
    }

    /// <summary>Asks a peer for the metadata pieces the fetcher gives it.</summary>
    private void RequestMetadata(PeerState peer)
    {
        if (_metadata is null || peer.Extensions?.GetMessageId(ExtensionHandshake.UtMetadata) is not { } id)
        {
            return;
        }

        foreach (var piece in _metadata.NextRequests(peer.Id, _time.GetTimestamp()))
        {
            peer.Link.Enqueue(OutgoingMessage.Extended(id, Encode(w => UtMetadataMessage.WriteRequest(w, piece))));
            _needFlush.Add(peer);
        }
    }

    private void OnMetadataMessage(PeerState peer, byte[] body)
    {
        UtMetadataMessage message;
        try
        {
            message = UtMetadataMessage.Decode(body, Info?.GetRawInfo().Length ?? _metadata?.Size);
        }
        catch (PeerProtocolException ex)
        {
            if (_metadata is not null)
            {
                _metadata.OnReject(peer.Id, -1);
                _logger.LogInformation("{Torrent}: {Peer} is not asked for metadata any more: {Reason}", Name, peer, ex.Reason);
                RequestMetadataFromAll();
            }

            return;
        }

        switch (message.Type)
        {
            case UtMetadataMessageType.Request:
                ServeMetadata(peer, message.Piece);
                break;
            case UtMetadataMessageType.Reject when _metadata is not null:
                _metadata.OnReject(peer.Id, message.Piece);
                _logger.LogDebug("{Torrent}: {Peer} rejected metadata piece {Piece}", Name, peer, message.Piece);
                RequestMetadataFromAll();
                break;
            case UtMetadataMessageType.Data when _metadata is not null:
                OnMetadataData(peer, message);
                break;
        }
    }

    private void OnMetadataData(PeerState peer, in UtMetadataMessage message)
    {
        var result = _metadata!.OnData(peer.Id, message.Piece, message.TotalSize, message.Data.Span);
        switch (result.Kind)
        {
            case MetadataResultKind.Completed:
                OnMetadataComplete(result.Metadata!);
                return;
            case MetadataResultKind.HashMismatch:
                _lastError = "metadata from peers did not match the info hash";
                _logger.LogWarning("{Torrent}: the metadata assembled from {Peers} does not match the info hash; fetching it again from others", Name, string.Join(", ", result.Suppliers!.Select(DescribePeer)));
                foreach (var supplier in result.Suppliers!)
                {
                    if (_peers.TryGetValue(supplier, out var liar))
                    {
                        liar.Strikes += 2;
                    }
                }

                RequestMetadataFromAll();
                return;
            case MetadataResultKind.PeerDropped:
                _logger.LogInformation("{Torrent}: {Peer} is not asked for metadata any more: {Reason}", Name, peer, result.Reason);
                RequestMetadataFromAll();
                return;
            default:
                RequestMetadata(peer);
                return;
        }
    }

    private void RequestMetadataFromAll()
    {
        foreach (var peer in _peers.Values)
        {
            RequestMetadata(peer);
        }
    }

    private void MetadataTick(long now)
    {
        if (_metadata is null)
        {
            return;
        }

        _metadata.Expire(now);
        RequestMetadataFromAll();
    }

    /// <summary>The metadata arrived and matched: the torrent is known; check the disk and download with the same connections.</summary>
    private void OnMetadataComplete(byte[] rawInfo)
    {
        TorrentInfo info;
        try
        {
            info = TorrentInfo.FromInfoDictionary(rawInfo, _trackerTiers);
        }
        catch (Exception ex) when (ex is BencodeException or InvalidTorrentException or UnsupportedTorrentException)
        {
            Fail(ex);
            return;
        }

        _logger.LogInformation("{Torrent}: metadata received ({Size} bytes): {Name}, {Length} bytes in {Pieces} pieces", Name, rawInfo.Length, info.Name, info.Length, info.PieceCount);
        _metadata = null;
        _fetchedMetadata = true;
        Info = info;
        Name = info.Name;
        foreach (var peer in _peers.Values)
        {
            peer.Link.SetPieceCount(info.PieceCount);
        }

        StartChecking(info);
    }

    /// <summary>A peer asks for a piece of our metadata: data when we have it, a reject before.</summary>
    private void ServeMetadata(PeerState peer, int piece)
    {
        if (peer.Extensions?.GetMessageId(ExtensionHandshake.UtMetadata) is not { } id)
        {
            return;
        }

        var raw = Info?.GetRawInfo();
        var body = raw is { } metadata && piece < UtMetadataMessage.PieceCount(metadata.Length)
            ? Encode(w => UtMetadataMessage.WriteData(w, piece, metadata.Span))
            : Encode(w => UtMetadataMessage.WriteReject(w, piece));
        peer.Link.Enqueue(OutgoingMessage.Extended(id, body));
        _needFlush.Add(peer);
    }

    private static byte[] Encode(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
