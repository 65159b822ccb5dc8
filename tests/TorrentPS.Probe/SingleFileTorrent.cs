using System.Security.Cryptography;

namespace TorrentPS.Probe;

/// <summary>
/// What the probe needs of a single-file .torrent: the info hash (SHA-1 of the info dictionary's bytes as they stand in
/// the file), the length, the piece length and the pieces' SHA-1 hashes (20 bytes each, in piece order).
/// </summary>
internal sealed record SingleFileTorrent(byte[] InfoHash, long Length, int PieceLength, byte[] PieceHashes)
{
    public int PieceCount => PieceHashes.Length / 20;

    /// <summary>A piece's length: the piece length, less for the last piece.</summary>
    public int LengthOf(int piece) => (int)Math.Min(PieceLength, Length - ((long)piece * PieceLength));

    public static SingleFileTorrent Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var torrent = new BencodeReader(data);
        torrent.ReadDictionaryStart();
        ReadOnlySpan<byte> info = default;
        while (!torrent.TryReadEnd())
        {
            var isInfo = torrent.ReadString().SequenceEqual("info"u8);
            var start = torrent.Position;
            torrent.Skip();
            info = isInfo ? data.AsSpan(start, torrent.Position - start) : info;
        }

        var reader = new BencodeReader(info.IsEmpty ? throw new InvalidDataException("the torrent has no info dictionary") : info);
        reader.ReadDictionaryStart();
        long length = 0, pieceLength = 0;
        ReadOnlySpan<byte> pieces = default;
        while (!reader.TryReadEnd())
        {
            var key = reader.ReadString();
            if (key.SequenceEqual("length"u8))
            {
                length = reader.ReadInteger();
            }
            else if (key.SequenceEqual("piece length"u8))
            {
                pieceLength = reader.ReadInteger();
            }
            else if (key.SequenceEqual("pieces"u8))
            {
                pieces = reader.ReadString();
            }
            else if (key.SequenceEqual("files"u8))
            {
                throw new InvalidDataException("the probe takes single-file torrents only");
            }
            else
            {
                reader.Skip();
            }
        }

        if (length <= 0 || pieceLength is <= 0 or > 64 * 1024 * 1024 || pieces.Length != (length + pieceLength - 1) / pieceLength * 20)
        {
            throw new InvalidDataException("the torrent's length, piece length and pieces do not agree");
        }

        return new SingleFileTorrent(SHA1.HashData(info), length, (int)pieceLength, pieces.ToArray());
    }
}
