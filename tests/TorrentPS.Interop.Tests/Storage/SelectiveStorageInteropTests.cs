using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Storage;

/// <summary>
/// A selective download at the storage level, on torrents made by mktorrent and by libtorrent (hybrid, with padding
/// files): the chosen pieces written through the torrent's data with a selection, the skipped files never created, the
/// bytes of pieces shared with skipped files kept in the part file, and a second run with a wider selection taking them
/// into the files. Checked byte for byte against the original files, by our verifier and by libtorrent's own check.
/// (End to end from a seeder needs the picker's priorities: that comes with the loop.)
/// </summary>
public sealed class SelectiveStorageInteropTests : IDisposable
{
    private readonly TempDirectory _folder = new("tps-selective");

    public void Dispose() => _folder.Dispose();

    public enum Maker
    {
        Mktorrent,
        LibtorrentHybrid,
    }

    /// <summary>A folder 'album' of files of awkward sizes (one empty) below <c>original</c>, and its torrent (32 KiB pieces).</summary>
    private async Task<(TorrentInfo Torrent, string TorrentPath, string Original)> AlbumAsync(Maker maker)
    {
        var original = _folder.Combine("original");
        var album = Path.Combine(original, "album");
        foreach (var (path, length) in new[]
        {
            ("cd1/01 - intro.flac", 70_001), ("cd1/02 - song.flac", 150_000), ("art/scans/front.png", 33_333),
            ("art/tiny.txt", 5), ("empty.nfo", 0), ("video/movie.mkv", 200_017),
        })
        {
            var full = Path.Combine([album, .. path.Split('/')]);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, RandomNumberGenerator.GetBytes(length));
        }

        var torrentPath = _folder.Combine("album.torrent");
        if (maker == Maker.Mktorrent)
        {
            await Mktorrent.CreateAsync(album, torrentPath, new MktorrentOptions { PieceLengthExponent = 15, TrackerTiers = [["http://127.0.0.1:1/announce"]] });
        }
        else
        {
            await LibtorrentMetainfo.CreateAsync(album, torrentPath, LibtorrentMetainfo.TorrentKind.Hybrid, pieceLength: 32768, tracker: "http://127.0.0.1:1/announce");
        }

        return (await TorrentInfo.LoadAsync(torrentPath), torrentPath, original);
    }

    /// <summary>Writes <paramref name="pieces"/>, read from the original content, through <paramref name="data"/>'s storage.</summary>
    private static void CopyPieces(TorrentInfo torrent, string original, FileTorrentData data, IEnumerable<int> pieces)
    {
        var layout = FileLayout.For(torrent);
        using var source = new PieceStore(layout, ContentLocation.InFolder(torrent, original), new PieceStoreOptions { ReadOnly = true });
        var buffer = new byte[layout.PieceLength];
        foreach (var piece in pieces)
        {
            var size = layout.GetPieceSize(piece);
            Assert.Equal(size, source.Read(piece, 0, buffer.AsSpan(0, size)));
            data.Storage.WritePiece(piece, buffer.AsSpan(0, size));
        }
    }

    private static Bitfield Union(Bitfield a, Bitfield b)
    {
        var both = a.Clone();
        foreach (var piece in b.Indexes())
        {
            both[piece] = true;
        }

        return both;
    }

    [Theory]
    [InlineData(Maker.Mktorrent)]
    [InlineData(Maker.LibtorrentHybrid)]
    public async Task A_selection_writes_only_the_chosen_files_and_a_wider_one_later_completes_the_torrent(Maker maker)
    {
        var (torrent, torrentPath, original) = await AlbumAsync(maker);
        var layout = FileLayout.For(torrent);
        var target = _folder.Combine("target");
        var location = ContentLocation.InFolder(torrent, target);
        var index = torrent.Files.Select((f, i) => (f.Path, i)).ToDictionary(x => x.Path, x => x.i);

        // Run 1: the song and the movie.
        var first = FileSelection.FromPatterns(torrent, ["cd1/02*", "*.MKV"]);
        var wanted = first.WantedPieces(layout);
        var shared = new Bitfield(layout.PieceCount); // pieces the chosen files share with skipped ones
        foreach (var piece in wanted.Indexes())
        {
            shared[piece] = first.TouchesSkippedFile(layout, piece);
        }

        using (var data = new FileTorrentData(torrent, location, selection: first))
        {
            Assert.True((await data.CheckAsync(null, CancellationToken.None)).IsEmpty);
            Assert.Equal(wanted.Indexes(), data.WantedPieces.Indexes());
            CopyPieces(torrent, original, data, wanted.Indexes());
            data.Checkpoint(wanted, final: true);
        }

        foreach (var (path, i) in index)
        {
            var onDisk = Path.Combine([target, "album", .. path.Split('/')]);
            if (first.IsSelected(i))
            {
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine([original, "album", .. path.Split('/')])), await File.ReadAllBytesAsync(onDisk));
            }
            else if (!torrent.Files[i].IsPadding)
            {
                Assert.False(File.Exists(onDisk), $"{path} is skipped but was created");
            }
        }

        Assert.False(Directory.Exists(Path.Combine(target, "album", "art")));
        var partFile = PartFile.PathFor(location);
        Assert.Equal(!shared.IsEmpty, File.Exists(partFile));
        if (maker == Maker.Mktorrent)
        {
            Assert.False(shared.IsEmpty); // without padding, chosen and skipped files share pieces
        }

        // Our verifier, told the selection, finds the chosen files complete and the others absent by choice.
        var checkedFirst = await new TorrentVerifier().VerifyAsync(torrent, location, null, CancellationToken.None, selection: first);
        Assert.True(checkedFirst.IsComplete, string.Join(", ", checkedFirst.InvalidPieces.Concat(checkedFirst.MissingPieces)));
        Assert.Equal(wanted.Indexes(), checkedFirst.ValidPieceBits.Indexes());
        Assert.All(checkedFirst.Files.Where(f => !first.IsSelected(f.FileIndex)), f => Assert.Equal(FileVerificationStatus.Skipped, f.Status));

        // libtorrent, which knows nothing of our part file, finds valid exactly the chosen pieces no skipped file shares.
        var theirs = await LibtorrentCheck.ValidPiecesAsync(torrentPath, target);
        Assert.Equal(wanted.Indexes().Where(p => !shared[p]), Enumerable.Range(0, theirs.Length).Where(p => theirs[p]));

        // Run 2: the art too. The pieces of run 1 are trusted; the shared bytes of the art come out of the part file.
        var second = first.WithPriority([index["art/scans/front.png"], index["art/tiny.txt"]], FilePriority.High);
        var wantedNow = second.WantedPieces(layout);
        using (var data = new FileTorrentData(torrent, location, selection: second))
        {
            var verified = await data.CheckAsync(null, CancellationToken.None);
            Assert.Equal(wanted.Indexes(), verified.Indexes());
            var missing = wantedNow.Indexes().Where(p => !verified[p]).ToArray();
            CopyPieces(torrent, original, data, missing);
            data.Checkpoint(Union(verified, wantedNow), final: true);
        }

        foreach (var path in new[] { "art/scans/front.png", "art/tiny.txt", "cd1/02 - song.flac", "video/movie.mkv" })
        {
            Assert.Equal(
                await File.ReadAllBytesAsync(Path.Combine([original, "album", .. path.Split('/')])),
                await File.ReadAllBytesAsync(Path.Combine([target, "album", .. path.Split('/')])));
        }

        Assert.False(File.Exists(Path.Combine(target, "album", "cd1", "01 - intro.flac")));

        // Run 3: everything. The last shared bytes leave the part file, which goes; the folder is the original.
        using (var data = new FileTorrentData(torrent, location, selection: FileSelection.All(torrent.Files.Count)))
        {
            var verified = await data.CheckAsync(null, CancellationToken.None);
            Assert.Equal(wantedNow.Indexes(), verified.Indexes());
            CopyPieces(torrent, original, data, Enumerable.Range(0, layout.PieceCount).Where(p => !verified[p]));
            verified.SetAll();
            data.Checkpoint(verified, final: true);
        }

        Assert.False(File.Exists(partFile));
        TestContent.AssertSame(Path.Combine(original, "album"), Path.Combine(target, "album"));
        Assert.All(await LibtorrentCheck.ValidPiecesAsync(torrentPath, target), Assert.True);
    }
}
