using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// No data at all: for fetching a magnet link's metadata only (<c>Get-TorrentInfo -MagnetLink</c>). No piece is wanted,
/// so the torrent completes as soon as the metadata arrives, and its <see cref="Torrent.Info"/> holds it.
/// </summary>
internal sealed class MetadataOnlyData(TorrentInfo torrent) : ITorrentData, IPieceStorage
{
    public IPieceStorage Storage => this;

    public string ContentPath => string.Empty;

    public Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken) => Task.FromResult(new Bitfield(torrent.PieceCount));

    /// <summary>No piece is wanted.</summary>
    public Bitfield WantedPieces => new(torrent.PieceCount);

    public void Checkpoint(Bitfield verified, bool final)
    {
    }

    public void WritePiece(int piece, ReadOnlySpan<byte> data)
    {
    }

    public int Read(int piece, int begin, Span<byte> destination) => 0;

    public void Dispose()
    {
    }
}
