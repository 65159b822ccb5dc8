using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>A torrent's data in memory, starting with some pieces already verified; records checkpoints.</summary>
internal sealed class MemoryTorrentData : ITorrentData, IPieceStorage
{
    private readonly TorrentInfo _torrent;
    private readonly byte[] _content;
    private readonly Bitfield _initial;

    public MemoryTorrentData(TorrentInfo torrent, byte[] source, Bitfield? initial = null)
    {
        _torrent = torrent;
        _content = new byte[torrent.Length];
        _initial = initial ?? new Bitfield(torrent.PieceCount);
        for (var i = _initial.NextIndex(0); i >= 0; i = _initial.NextIndex(i + 1))
        {
            var offset = i * torrent.PieceLength;
            source.AsSpan((int)offset, (int)torrent.GetPieceLength(i)).CopyTo(_content.AsSpan((int)offset));
        }
    }

    public byte[] Content => _content;

    public int Checkpoints { get; private set; }

    public Bitfield? LastCheckpoint { get; private set; }

    public IPieceStorage Storage => this;

    public string ContentPath => "memory";

    public Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken) => Task.FromResult(_initial.Clone());

    public void Checkpoint(Bitfield verified, bool final)
    {
        Checkpoints++;
        LastCheckpoint = verified.Clone();
    }

    public void WritePiece(int piece, ReadOnlySpan<byte> data) => data.CopyTo(_content.AsSpan((int)(piece * _torrent.PieceLength)));

    public int Read(int piece, int begin, Span<byte> destination)
    {
        _content.AsSpan((int)(piece * _torrent.PieceLength) + begin, destination.Length).CopyTo(destination);
        return destination.Length;
    }

    public void Dispose()
    {
    }
}
