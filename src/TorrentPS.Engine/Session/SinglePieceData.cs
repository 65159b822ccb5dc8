using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// One piece of a torrent to one file (<c>Save-TorrentPiece</c>, <c>tps download_piece</c>): the piece's bytes, verified,
/// land in the file; nothing else is written, and there is nothing to resume.
/// </summary>
public sealed class SinglePieceData : ITorrentData, IPieceStorage
{
    private readonly int _pieceCount;
    private readonly int _piece;
    private readonly string _path;

    public SinglePieceData(TorrentInfo torrent, int piece, string path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, torrent.PieceCount);
        _pieceCount = torrent.PieceCount;
        _piece = piece;
        _path = Path.GetFullPath(path);
    }

    public IPieceStorage Storage => this;

    public string ContentPath => _path;

    public Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken) => Task.FromResult(new Bitfield(_pieceCount));

    /// <summary>Only this piece is wanted.</summary>
    public Bitfield WantedPieces
    {
        get
        {
            var wanted = new Bitfield(_pieceCount);
            wanted[_piece] = true;
            return wanted;
        }
    }

    public void Checkpoint(Bitfield verified, bool final)
    {
    }

    public void WritePiece(int piece, ReadOnlySpan<byte> data)
    {
        if (piece != _piece)
        {
            return;
        }

        if (Path.GetDirectoryName(_path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // Written whole to a temporary file and renamed: the file never holds part of a piece.
        var temporary = _path + ".part";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(data);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    public int Read(int piece, int begin, Span<byte> destination)
    {
        if (piece != _piece || !File.Exists(_path))
        {
            return 0;
        }

        using var handle = File.OpenHandle(_path);
        return RandomAccess.Read(handle, destination, begin);
    }

    public void Dispose()
    {
    }
}
