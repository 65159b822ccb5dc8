using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace TorrentPS.Probe;

/// <summary>
/// The piece loop, all on the calling thread: 256 requests of 16 KiB kept in flight in piece order; 1 MiB receives
/// parsed in place; each block copied into its piece's buffer; each complete piece hashed (SHA-1) and written at its
/// offset. Pieces in flight each have a buffer, reused once the piece is written. Nothing is allocated per block.
/// </summary>
internal sealed class PieceDownload
{
    private const int BlockLength = 16 * 1024;
    private const int MaxRequests = 256;
    private const int RequestLength = 17;
    private const int ReceiveLength = 1024 * 1024;

    private readonly PeerConnection _peer;
    private readonly SingleFileTorrent _torrent;
    private readonly SafeFileHandle _file;
    private readonly byte[][] _pieceBuffers;
    private readonly int[] _pieceFilled;
    private readonly bool[] _written;
    private readonly byte[] _requests = new byte[MaxRequests * RequestLength];
    private bool _unchoked;
    private int _inFlight;
    private int _nextPiece;
    private int _nextBegin;
    private int _firstUnwritten;
    private long _bytesRequested;
    private long _bytesReceived;

    public PieceDownload(PeerConnection peer, SingleFileTorrent torrent, SafeFileHandle file)
    {
        _peer = peer;
        _torrent = torrent;
        _file = file;

        // Enough buffers for every piece that the requests in flight can touch.
        var buffers = Math.Min(torrent.PieceCount, (MaxRequests * BlockLength / torrent.PieceLength) + 2);
        _pieceBuffers = new byte[buffers][];
        for (var i = 0; i < buffers; i++)
        {
            _pieceBuffers[i] = new byte[torrent.PieceLength];
        }

        _pieceFilled = new int[buffers];
        _written = new bool[torrent.PieceCount];
    }

    /// <summary>Runs until every piece is verified and written; throws on a bad hash, an unasked block, a choke, or a closed connection.</summary>
    public void Run()
    {
        _peer.SendInterested();
        var buffer = new byte[ReceiveLength];
        var end = 0;
        while (_firstUnwritten < _torrent.PieceCount)
        {
            SendRequests();

            // One wake-up per MiB while at least twice that is still to come, then every byte counts. Twice: Linux wakes a
            // sleeping receive only when the socket alone holds the mark, not counting what the receive already copied.
            _peer.SetLowWater(_bytesRequested - _bytesReceived >= 2 * ReceiveLength ? ReceiveLength : 1);
            var received = _peer.Receive(buffer.AsSpan(end));
            _bytesReceived += received;
            end += received;
            var start = 0;
            while (end - start >= 4)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                if (length is < 0 or > ReceiveLength - 4)
                {
                    throw new InvalidDataException($"the peer sent a message of {length} bytes");
                }

                if (end - start - 4 < length)
                {
                    break;
                }

                Handle(buffer.AsSpan(start + 4, length));
                start += 4 + length;
            }

            // The incomplete message left at the end (at most one block) moves to the front.
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
        }
    }

    private void Handle(ReadOnlySpan<byte> message)
    {
        switch (message.IsEmpty ? -1 : message[0])
        {
            case 0 when _unchoked:
                throw new IOException($"the peer choked the probe with {_torrent.PieceCount - _firstUnwritten} pieces to go");
            case 1:
                _unchoked = true;
                break;
            case 7 when message.Length > 9:
                Block(BinaryPrimitives.ReadInt32BigEndian(message[1..]), BinaryPrimitives.ReadInt32BigEndian(message[5..]), message[9..]);
                break;
        }
    }

    private void Block(int piece, int begin, ReadOnlySpan<byte> block)
    {
        var asked = piece >= _firstUnwritten && begin >= 0 && (piece < _nextPiece || (piece == _nextPiece && begin < _nextBegin)) && !_written[piece];
        if (!asked || begin % BlockLength != 0 || block.Length != Math.Min(BlockLength, _torrent.LengthOf(piece) - begin))
        {
            throw new InvalidDataException($"the peer sent a block that was not asked for (piece {piece}, offset {begin}, {block.Length} bytes)");
        }

        _inFlight--;
        var slot = piece % _pieceBuffers.Length;
        block.CopyTo(_pieceBuffers[slot].AsSpan(begin));
        _pieceFilled[slot] += block.Length;
        if (_pieceFilled[slot] == _torrent.LengthOf(piece))
        {
            Write(piece, _pieceBuffers[slot].AsSpan(0, _pieceFilled[slot]));
        }
    }

    private void Write(int piece, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(data, hash);
        if (!hash.SequenceEqual(_torrent.PieceHashes.AsSpan(piece * 20, 20)))
        {
            throw new InvalidDataException($"piece {piece} failed its hash check");
        }

        RandomAccess.Write(_file, data, (long)piece * _torrent.PieceLength);
        _written[piece] = true;
        while (_firstUnwritten < _written.Length && _written[_firstUnwritten])
        {
            _firstUnwritten++;
        }
    }

    /// <summary>Tops the requests in flight up to 256 in one send, in piece order, never past the pieces that have a buffer.</summary>
    private void SendRequests()
    {
        var count = 0;
        while (_unchoked && _inFlight < MaxRequests && _nextPiece < _torrent.PieceCount && _nextPiece < _firstUnwritten + _pieceBuffers.Length)
        {
            if (_nextBegin == 0)
            {
                _pieceFilled[_nextPiece % _pieceBuffers.Length] = 0;
            }

            var pieceLength = _torrent.LengthOf(_nextPiece);
            var length = Math.Min(BlockLength, pieceLength - _nextBegin);
            PeerConnection.WriteRequest(_requests.AsSpan(count * RequestLength), _nextPiece, _nextBegin, length);
            count++;
            _inFlight++;
            _bytesRequested += 13 + length;
            _nextBegin += length;
            if (_nextBegin == pieceLength)
            {
                _nextPiece++;
                _nextBegin = 0;
            }
        }

        if (count > 0)
        {
            _peer.Send(_requests.AsSpan(0, count * RequestLength));
        }
    }
}
