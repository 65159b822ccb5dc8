using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// Multi-file torrents made by the reference tools (mktorrent, python3-libtorrent), with nested folders, non-ASCII names,
/// empty files and a short last piece, downloaded from a libtorrent seeder and compared file by file.
/// </summary>
public sealed class MultiFileDownloadTests
{
    private static readonly (string Path, int Length)[] Tree =
    [
        ("readme.txt", 1000),
        ("données/été/ñandú.bin", 70_001),
        ("empty.dat", 0),
        ("a/b/c/deep.bin", 200_000),
        ("日本語/ファイル.bin", 33_333),
        ("a/b/also-empty", 0),
        ("z-last.bin", 5),
    ];

    private static int TreeLength => Tree.Sum(f => f.Length);

    [Fact]
    public async Task A_torrent_made_by_mktorrent_with_nested_non_ascii_and_empty_files_downloads_file_by_file()
    {
        using var folder = new TempDirectory("tps-dl-mk");
        var data = folder.Combine("data");
        var root = TestContent.CreateTree(data, "Sammlung ü", Tree);
        var torrentPath = folder.Combine("mk.torrent");
        await Mktorrent.CreateAsync(root, torrentPath, new MktorrentOptions { PieceLengthExponent = 15 });
        var torrent = TestTorrent.Load(data, torrentPath);
        Assert.NotEqual(0, TreeLength % torrent.Info.PieceLength); // the last piece is short

        await DownloadFromLibtorrentAsync(torrent);
    }

    [Theory]
    [InlineData(LibtorrentMetainfo.TorrentKind.V1Only)]
    [InlineData(LibtorrentMetainfo.TorrentKind.Hybrid)] // files aligned to pieces with BEP 47 padding files
    public async Task A_torrent_made_by_libtorrent_with_nested_non_ascii_and_empty_files_downloads_file_by_file(LibtorrentMetainfo.TorrentKind kind)
    {
        using var folder = new TempDirectory("tps-dl-ltm");
        var data = folder.Combine("data");
        var root = TestContent.CreateTree(data, "集合", Tree);
        var torrentPath = folder.Combine("lt.torrent");
        await LibtorrentMetainfo.CreateAsync(root, torrentPath, kind, pieceLength: 16 * 1024);
        var torrent = TestTorrent.Load(data, torrentPath);

        await DownloadFromLibtorrentAsync(torrent);
    }

    private static async Task DownloadFromLibtorrentAsync(TestTorrent torrent)
    {
        Assert.True(torrent.Info.IsMultiFile);

        await InteropDownload.FromSeederAsync(torrent, t => LibtorrentSeeder.StartAsync(t));

        Assert.Equal(TreeLength, torrent.Info.Files.Where(f => !f.IsPadding).Sum(f => f.Length));
    }
}
