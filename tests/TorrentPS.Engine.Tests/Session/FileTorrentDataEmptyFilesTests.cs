using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

public sealed class FileTorrentDataEmptyFilesTests
{
    private static StorageTorrent Album() => StorageTorrent.Multi(
        "album",
        64,
        TestFile.Random("cd1/track.bin", 100, seed: 1),
        new TestFile("cd1/empty/none.txt", []),
        TestFile.Random("cover.jpg", 30, seed: 2));

    private static Bitfield Pieces(int count, bool all)
    {
        var pieces = new Bitfield(count);
        if (all)
        {
            pieces.SetAll();
        }

        return pieces;
    }

    [Fact]
    public void A_zero_length_file_is_made_with_its_folders_once_every_piece_is_verified()
    {
        using var album = Album();
        using var data = new FileTorrentData(album.Torrent, album.Location);

        data.Checkpoint(Pieces(album.Torrent.PieceCount, all: false), final: false);
        Assert.False(File.Exists(album.PathOf(1)));

        data.Checkpoint(Pieces(album.Torrent.PieceCount, all: true), final: true);
        Assert.Equal(0, new FileInfo(album.PathOf(1)).Length);
    }

    [Fact]
    public void Read_only_data_gets_no_empty_file()
    {
        using var album = Album();
        using var data = new FileTorrentData(album.Torrent, album.Location, readOnly: true);

        data.Checkpoint(Pieces(album.Torrent.PieceCount, all: true), final: true);

        Assert.False(File.Exists(album.PathOf(1)));
    }
}
