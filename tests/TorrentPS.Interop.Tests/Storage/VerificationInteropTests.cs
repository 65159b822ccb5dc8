using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Storage;

/// <summary>
/// Our verifier against torrents made by mktorrent and by libtorrent (a hybrid one, with BEP 47 padding files), on data
/// the tests write and then damage: intact data verifies, one flipped byte makes exactly its piece invalid, a truncated,
/// missing or extra file or a folder in a file's place gives the right result, and libtorrent's own check of the same
/// data agrees piece by piece.
/// </summary>
public sealed class VerificationInteropTests : IDisposable
{
    private readonly TempDirectory _folder = new("tps-verify");

    public void Dispose() => _folder.Dispose();

    public enum Maker
    {
        Mktorrent,
        LibtorrentHybrid,
    }

    /// <summary>A folder 'album' of files of awkward sizes (one empty) below <c>data</c>, and its torrent.</summary>
    private async Task<(TorrentInfo Torrent, string TorrentPath, string Data)> AlbumAsync(Maker maker)
    {
        var data = _folder.Combine("data");
        var album = Path.Combine(data, "album");
        Directory.CreateDirectory(Path.Combine(album, "cd1"));
        Directory.CreateDirectory(Path.Combine(album, "art", "scans"));
        await File.WriteAllBytesAsync(Path.Combine(album, "cd1", "01 - intro.flac"), RandomNumberGenerator.GetBytes(70_001));
        await File.WriteAllBytesAsync(Path.Combine(album, "cd1", "02 - song.flac"), RandomNumberGenerator.GetBytes(150_000));
        await File.WriteAllBytesAsync(Path.Combine(album, "art", "scans", "front.png"), RandomNumberGenerator.GetBytes(33_333));
        await File.WriteAllBytesAsync(Path.Combine(album, "art", "tiny.txt"), RandomNumberGenerator.GetBytes(5));
        await File.WriteAllBytesAsync(Path.Combine(album, "empty.nfo"), []);
        var torrentPath = _folder.Combine("album.torrent");
        if (maker == Maker.Mktorrent)
        {
            await Mktorrent.CreateAsync(album, torrentPath, new MktorrentOptions { PieceLengthExponent = 15, TrackerTiers = [["http://127.0.0.1:1/announce"]] });
        }
        else
        {
            await LibtorrentMetainfo.CreateAsync(album, torrentPath, LibtorrentMetainfo.TorrentKind.Hybrid, pieceLength: 16384, tracker: "http://127.0.0.1:1/announce");
        }

        var torrent = await TorrentInfo.LoadAsync(torrentPath);
        Assert.Equal(maker == Maker.LibtorrentHybrid, torrent.Files.Any(f => f.IsPadding));
        return (torrent, torrentPath, data);
    }

    private static Task<VerificationResult> VerifyAsync(TorrentInfo torrent, string data)
        => new TorrentVerifier(new TorrentVerifierOptions { ReadSize = 64 * 1024, ParallelThreshold = 0 })
            .VerifyAsync(torrent, ContentLocation.InFolder(torrent, data), null, CancellationToken.None);

    private static async Task AgreesWithLibtorrentAsync(string torrentPath, string data, VerificationResult ours)
    {
        var theirs = await LibtorrentCheck.ValidPiecesAsync(torrentPath, data);
        Assert.Equal(theirs.Length, ours.PieceCount);
        Assert.Equal(Enumerable.Range(0, theirs.Length).Where(i => theirs[i]), ours.ValidPieceBits.Indexes());
    }

    [Theory]
    [InlineData(Maker.Mktorrent)]
    [InlineData(Maker.LibtorrentHybrid)]
    public async Task Intact_data_verifies_complete_as_libtorrent_finds_it(Maker maker)
    {
        var (torrent, torrentPath, data) = await AlbumAsync(maker);
        var result = await VerifyAsync(torrent, data);
        Assert.True(result.IsComplete, string.Join(", ", result.InvalidPieces.Concat(result.MissingPieces)));
        Assert.Equal(5, result.Files.Count);
        await AgreesWithLibtorrentAsync(torrentPath, data, result);
    }

    [Theory]
    [InlineData(Maker.Mktorrent)]
    [InlineData(Maker.LibtorrentHybrid)]
    public async Task One_flipped_byte_makes_exactly_its_piece_invalid(Maker maker)
    {
        var (torrent, torrentPath, data) = await AlbumAsync(maker);
        var song = torrent.Files.Single(f => f.Path == "cd1/02 - song.flac");
        var path = Path.Combine(data, "album", "cd1", "02 - song.flac");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[99_999] ^= 0x80;
        await File.WriteAllBytesAsync(path, bytes);

        var result = await VerifyAsync(torrent, data);
        Assert.Equal([(int)((song.Offset + 99_999) / torrent.PieceLength)], result.InvalidPieces);
        Assert.Empty(result.MissingPieces);
        await AgreesWithLibtorrentAsync(torrentPath, data, result);
    }

    [Theory]
    [InlineData(Maker.Mktorrent)]
    [InlineData(Maker.LibtorrentHybrid)]
    public async Task A_truncated_a_missing_and_an_extra_file_each_give_the_right_result(Maker maker)
    {
        var (torrent, torrentPath, data) = await AlbumAsync(maker);
        var intro = torrent.Files.Single(f => f.Path == "cd1/01 - intro.flac");
        var front = torrent.Files.Single(f => f.Path == "art/scans/front.png");
        var introPath = Path.Combine(data, "album", "cd1", "01 - intro.flac");
        await File.WriteAllBytesAsync(introPath, (await File.ReadAllBytesAsync(introPath))[..40_000]);
        File.Delete(Path.Combine(data, "album", "art", "scans", "front.png"));
        await File.WriteAllTextAsync(Path.Combine(data, "album", "extra.txt"), "not in the torrent");

        var result = await VerifyAsync(torrent, data);
        var layout = FileLayout.For(torrent);
        var truncatedFrom = (int)((intro.Offset + 40_000) / torrent.PieceLength);
        var (introFirst, introLast) = layout.GetPieceRange(torrent.Files.ToList().IndexOf(intro));
        var (frontFirst, frontLast) = layout.GetPieceRange(torrent.Files.ToList().IndexOf(front));
        var expectedMissing = Enumerable.Range(truncatedFrom, introLast - truncatedFrom + 1)
            .Concat(Enumerable.Range(frontFirst, frontLast - frontFirst + 1))
            .Distinct().Order();
        Assert.Equal(expectedMissing, result.MissingPieces);
        Assert.Empty(result.InvalidPieces);
        Assert.True(introFirst < truncatedFrom, "the intro keeps its first pieces");
        var files = result.Files.ToDictionary(f => f.RelativePath);
        Assert.Equal((true, 40_000L, false), (files["cd1/01 - intro.flac"].Exists, files["cd1/01 - intro.flac"].ExistingLength, files["cd1/01 - intro.flac"].IsComplete));
        Assert.False(files["art/scans/front.png"].Exists);
        Assert.True(files["empty.nfo"].IsComplete);
        await AgreesWithLibtorrentAsync(torrentPath, data, result);
    }

    [Theory]
    [InlineData(Maker.Mktorrent)]
    [InlineData(Maker.LibtorrentHybrid)]
    public async Task A_file_replaced_by_a_folder_is_missing_and_nothing_throws(Maker maker)
    {
        var (torrent, _, data) = await AlbumAsync(maker);
        var path = Path.Combine(data, "album", "art", "tiny.txt");
        File.Delete(path);
        Directory.CreateDirectory(path);

        var result = await VerifyAsync(torrent, data);
        var index = torrent.Files.ToList().FindIndex(f => f.Path == "art/tiny.txt");
        var (first, last) = FileLayout.For(torrent).GetPieceRange(index);
        Assert.Equal(Enumerable.Range(first, last - first + 1), result.MissingPieces);
        Assert.False(result.Files.Single(f => f.FileIndex == index).Exists);
    }

    [Fact]
    public async Task A_single_file_mktorrent_torrent_verifies_and_a_flipped_byte_is_found()
    {
        var data = _folder.Combine("data");
        Directory.CreateDirectory(data);
        var file = Path.Combine(data, "disk.img");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes((5 * 32_768) + 123));
        var torrentPath = _folder.Combine("disk.torrent");
        await Mktorrent.CreateAsync(file, torrentPath, new MktorrentOptions { TrackerTiers = [["http://127.0.0.1:1/announce"]] });
        var torrent = await TorrentInfo.LoadAsync(torrentPath);
        Assert.True((await VerifyAsync(torrent, data)).IsComplete);

        var bytes = await File.ReadAllBytesAsync(file);
        bytes[^1] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);
        var result = await VerifyAsync(torrent, data);
        Assert.Equal([5], result.InvalidPieces);
        await AgreesWithLibtorrentAsync(torrentPath, data, result);
    }

    [Fact]
    public async Task Data_written_block_by_block_through_the_piece_store_is_what_libtorrent_made_the_torrent_of()
    {
        var (torrent, torrentPath, data) = await AlbumAsync(Maker.LibtorrentHybrid);
        var original = _folder.Combine("original");
        Directory.Move(data, original);

        // Read every piece from the original content, write it block by block, in a shuffled order, to the new place.
        var layout = FileLayout.For(torrent);
        using (var source = new PieceStore(layout, ContentLocation.InFolder(torrent, original), new PieceStoreOptions { ReadOnly = true }))
        using (var target = new PieceStore(layout, ContentLocation.InFolder(torrent, data), new PieceStoreOptions { MaxOpenFiles = 2 }))
        {
            var buffer = new byte[layout.PieceLength];
            foreach (var piece in Enumerable.Range(0, layout.PieceCount).OrderBy(_ => Random.Shared.Next()))
            {
                var size = layout.GetPieceSize(piece);
                Assert.Equal(size, source.Read(piece, 0, buffer.AsSpan(0, size)));
                Assert.True(PieceHash.Matches(buffer.AsSpan(0, size), torrent.GetPieceHash(piece)));
                for (var begin = 0; begin < size; begin += 4096)
                {
                    target.Write(piece, begin, buffer.AsSpan(begin, Math.Min(4096, size - begin)));
                }
            }

            target.CreateEmptyFiles();
        }

        Assert.False(Directory.Exists(Path.Combine(data, "album", ".pad")));
        var result = await VerifyAsync(torrent, data);
        Assert.True(result.IsComplete);
        await AgreesWithLibtorrentAsync(torrentPath, data, result);
    }
}
