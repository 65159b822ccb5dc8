using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Pieces of a torrent, each to a file of its own (<c>Save-TorrentPiece</c>, <c>tps download_piece</c>): a piece's bytes,
/// verified, land whole in its file; nothing else is written, and there is nothing to resume.
/// </summary>
internal sealed class PieceFilesData : ITorrentData, IPieceStorage
{
    private readonly int _pieceCount;
    private readonly Dictionary<int, string> _files;

    /// <summary>Piece <paramref name="piece"/> to the file <paramref name="path"/>.</summary>
    public PieceFilesData(TorrentInfo torrent, int piece, string path)
        : this(torrent, new Dictionary<int, string> { [piece] = path })
    {
    }

    /// <summary>Each piece of <paramref name="files"/> to its file.</summary>
    public PieceFilesData(TorrentInfo torrent, IReadOnlyDictionary<int, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfZero(files.Count);
        _pieceCount = torrent.PieceCount;
        _files = new Dictionary<int, string>(files.Count);
        foreach (var (piece, path) in files)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(piece);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, torrent.PieceCount);
            _files[piece] = Path.GetFullPath(path);
        }

        ContentPath = _files.Count == 1 ? _files.Values.Single() : Path.GetDirectoryName(_files.Values.First()) ?? _files.Values.First();
    }

    public IPieceStorage Storage => this;

    /// <summary>The piece's file, or the folder of the first piece's file when there are several.</summary>
    public string ContentPath { get; }

    public Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken) => Task.FromResult(new Bitfield(_pieceCount));

    /// <summary>Only these pieces are wanted.</summary>
    public Bitfield WantedPieces
    {
        get
        {
            var wanted = new Bitfield(_pieceCount);
            foreach (var piece in _files.Keys)
            {
                wanted[piece] = true;
            }

            return wanted;
        }
    }

    public void Checkpoint(Bitfield verified, bool final)
    {
    }

    public void WritePiece(int piece, ReadOnlySpan<byte> data)
    {
        if (!_files.TryGetValue(piece, out var path))
        {
            return;
        }

        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // Written whole to a temporary file and renamed: the file never holds part of a piece.
        var temporary = path + ".part";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(data);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public int Read(int piece, int begin, Span<byte> destination)
    {
        if (!_files.TryGetValue(piece, out var path) || !File.Exists(path))
        {
            return 0;
        }

        using var handle = File.OpenHandle(path);
        return RandomAccess.Read(handle, destination, begin);
    }

    public void Dispose()
    {
    }
}
