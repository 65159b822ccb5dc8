using System.Globalization;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Creation;

/// <summary>
/// Torrents made by <see cref="TorrentCreator"/> against the reference tools: the same info hash as mktorrent (v1) and as
/// libtorrent's own creator (hybrid, both hashes), libtorrent's automatic piece length, and libtorrent and aria2 reading,
/// checking, seeding and downloading what we made, and our own session seeding it.
/// </summary>
public sealed class CreatedTorrentInteropTests
{
    private const string Tracker = "http://127.0.0.1:6969/announce";
    private static readonly TimeSpan Download = TimeSpan.FromSeconds(60);

    private static async Task<CreatedTorrent> CreateAsync(string path, TorrentVersion version, long? pieceLength, bool isPrivate = false, string? source = null)
        => await new TorrentCreator().CreateAsync(
            path,
            new TorrentCreationOptions { Version = version, PieceLength = pieceLength, TrackerTiers = [[Tracker]], IsPrivate = isPrivate, Source = source },
            null,
            CancellationToken.None);

    /// <summary>Writes <paramref name="created"/> beside its content and reads it back as a test torrent of <paramref name="dataDirectory"/>.</summary>
    private static TestTorrent Save(CreatedTorrent created, string torrentPath, string dataDirectory)
    {
        File.WriteAllBytes(torrentPath, created.GetBytes());
        return TestTorrent.Load(dataDirectory, torrentPath);
    }

    /// <summary>
    /// A folder with what a real one holds: nested folders, a hidden file, an empty file, a file exactly one piece long,
    /// files larger and smaller than a piece, and names beyond ASCII. No name here starts a sibling's name followed by a
    /// character below '/' (where mktorrent's whole-path order and ours differ).
    /// </summary>
    private static string WriteAlbum(string folder, string name = "album")
    {
        var root = Path.Combine(folder, name);
        var random = new Random(21);
        foreach (var (path, length) in new[]
        {
            ("01 intro.flac", 100_000), ("02 \u00e9t\u00e9.flac", 65_536), (".hidden", 7), ("empty.txt", 0),
            ("disc 2/03.flac", 40_001), ("disc 2/\u97f3\u697d.flac", 16_384), ("disc 2/deeper/04.flac", 1), ("zz.bin", 300_000),
        })
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var bytes = new byte[length];
            random.NextBytes(bytes);
            File.WriteAllBytes(file, bytes);
        }

        return root;
    }

    private static string WriteFile(string folder, string name, int length, int seed)
    {
        Directory.CreateDirectory(folder);
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(15)]
    [InlineData(18)]
    [InlineData(20)]
    public async Task A_v1_torrent_of_a_file_has_the_info_hash_mktorrent_gives_it(int pieceLengthExponent)
    {
        using var folder = new TempDirectory("tps-create-mk1");
        var file = WriteFile(folder.Combine("data"), "movie.mkv", (3 * 1024 * 1024) + 4321, pieceLengthExponent);
        var mktorrent = folder.Combine("mktorrent.torrent");
        await Mktorrent.CreateAsync(file, mktorrent, new MktorrentOptions { PieceLengthExponent = pieceLengthExponent, TrackerTiers = [[Tracker]] });

        var ours = await CreateAsync(file, TorrentVersion.V1, 1L << pieceLengthExponent);

        Assert.Equal((await TorrentInfo.LoadAsync(mktorrent)).Hash, ours.Torrent.Hash);
    }

    [Fact]
    public async Task A_v1_torrent_of_a_folder_has_the_info_hash_mktorrent_gives_it()
    {
        using var folder = new TempDirectory("tps-create-mk2");
        var album = WriteAlbum(folder.Path);
        var mktorrent = folder.Combine("mktorrent.torrent");
        await Mktorrent.CreateAsync(album, mktorrent, new MktorrentOptions { PieceLengthExponent = 15, TrackerTiers = [[Tracker]] });

        var ours = await CreateAsync(album, TorrentVersion.V1, 32 * 1024);

        var theirs = await TorrentInfo.LoadAsync(mktorrent);
        Assert.Equal(theirs.Files.Select(f => f.Path), ours.Torrent.Files.Select(f => f.Path));
        Assert.Equal(theirs.Hash, ours.Torrent.Hash);
    }

    [Fact]
    public async Task Tps_create_writes_name_dot_torrent_in_the_current_folder_with_mktorrents_info_hash()
    {
        using var folder = new TempDirectory("tps-create-cli");
        var album = WriteAlbum(folder.Combine("data"));
        var mktorrent = folder.Combine("mktorrent.torrent");
        await Mktorrent.CreateAsync(album, mktorrent, new MktorrentOptions { PieceLengthExponent = 16, TrackerTiers = [[Tracker], ["udp://127.0.0.1:6969"]] });
        var work = folder.Combine("work");
        Directory.CreateDirectory(work);

        var output = await ExternalProcess.RunAsync("dotnet", [Tps.Assembly, "create", "--piece-length", "64K", "--tracker", Tracker, "--tracker", "udp://127.0.0.1:6969", album], TimeSpan.FromSeconds(60), work);

        var ours = await TorrentInfo.LoadAsync(Path.Combine(work, "album.torrent"));
        var theirs = await TorrentInfo.LoadAsync(mktorrent);
        Assert.Contains($"Info Hash: {theirs.Hash.Hex}", output, StringComparison.Ordinal);
        Assert.Equal(theirs.Hash, ours.Hash);
        Assert.Equal(theirs.TrackerTiers, ours.TrackerTiers);
    }

    [Fact]
    public async Task A_private_torrent_with_a_source_has_the_info_hash_mktorrent_gives_it()
    {
        using var folder = new TempDirectory("tps-create-mk3");
        var album = WriteAlbum(folder.Path);
        var mktorrent = folder.Combine("mktorrent.torrent");
        await ExternalProcess.RunAsync("mktorrent", ["-a", Tracker, "-l", "16", "-p", "-s", "TPS", "-o", mktorrent, album], TimeSpan.FromSeconds(30));

        var ours = await CreateAsync(album, TorrentVersion.V1, 64 * 1024, isPrivate: true, source: "TPS");

        var theirs = await TorrentInfo.LoadAsync(mktorrent);
        Assert.Equal(("TPS", true), (theirs.Source, theirs.IsPrivate));
        Assert.Equal(theirs.Hash, ours.Torrent.Hash);
    }

    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(64 * 1024)]
    public async Task A_hybrid_torrent_of_a_folder_has_both_info_hashes_libtorrent_gives_it(int pieceLength)
    {
        using var folder = new TempDirectory("tps-create-lt1");
        var album = WriteAlbum(folder.Path);

        // Where libtorrent's order (and ours) differs from mktorrent's: a folder whose name starts a sibling's.
        WriteFile(Path.Combine(album, "a"), "x.bin", 5000, 1);
        WriteFile(album, "a.txt", 3000, 2);

        // Two files of the same content (one piece layer for both).
        File.Copy(Path.Combine(album, "zz.bin"), Path.Combine(album, "zz copy.bin"));
        var libtorrent = folder.Combine("libtorrent.torrent");
        await LibtorrentMetainfo.CreateAsync(album, libtorrent, LibtorrentMetainfo.TorrentKind.Hybrid, pieceLength, Tracker);

        var ours = await CreateAsync(album, TorrentVersion.Hybrid, pieceLength);

        var theirs = await LibtorrentMetainfo.ReadTorrentAsync(libtorrent);
        Assert.Equal(theirs.Files.Select(f => (f.Path, f.Size, f.Pad)), ours.Torrent.Files.Select(f => ($"album/{f.Path}", f.Length, f.IsPadding)));
        Assert.Equal(theirs.InfoHash, ours.Torrent.Hash.Hex);
        Assert.Equal(theirs.InfoHashV2, ours.Torrent.InfoHashV2);
        Assert.Equal((await TorrentInfo.LoadAsync(libtorrent)).InfoHashV2, theirs.InfoHashV2); // and we read theirs the same
    }

    [Fact]
    public async Task A_hybrid_torrent_of_a_file_has_both_info_hashes_libtorrent_gives_it()
    {
        using var folder = new TempDirectory("tps-create-lt2");
        var file = WriteFile(folder.Combine("data"), "movie.mkv", (5 * 32 * 1024) + 999, 3);
        var libtorrent = folder.Combine("libtorrent.torrent");
        await LibtorrentMetainfo.CreateAsync(file, libtorrent, LibtorrentMetainfo.TorrentKind.Hybrid, 32 * 1024, Tracker);

        var ours = await CreateAsync(file, TorrentVersion.Hybrid, 32 * 1024);

        var theirs = await LibtorrentMetainfo.ReadTorrentAsync(libtorrent);
        Assert.Equal((theirs.InfoHash, theirs.InfoHashV2), (ours.Torrent.Hash.Hex, ours.Torrent.InfoHashV2));
    }

    [Fact]
    public async Task The_automatic_piece_length_is_the_one_libtorrent_chooses()
    {
        long[] sizes = [1, 2684355, 2684356, 10737418, 10737419, 100_000_000, 687194767, 687194768, 1L << 30, 10995116278, 10995116279, 703687441777, 703687441778, 1L << 42];
        const string script = """
            import sys
            import libtorrent as lt
            for size in sys.argv[1:]:
                fs = lt.file_storage()
                fs.add_file('content/data.bin', int(size))
                print('TPSPIECE %s %d' % (size, lt.create_torrent(fs, 0, flags=lt.create_torrent.v1_only).piece_length()), flush=True)
            """;

        var output = await ExternalProcess.RunAsync(LibtorrentMetainfo.Python, ["-c", script, .. sizes.Select(s => s.ToString(CultureInfo.InvariantCulture))], TimeSpan.FromSeconds(30));

        var theirs = output.Split('\n').Where(l => l.StartsWith("TPSPIECE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).ToDictionary(p => long.Parse(p[1], CultureInfo.InvariantCulture), p => long.Parse(p[2], CultureInfo.InvariantCulture));
        Assert.Equal(sizes.Length, theirs.Count);
        Assert.All(sizes, size => Assert.Equal((size, theirs[size]), (size, PieceLengthRule.Automatic(size))));
    }

    [Fact]
    public async Task Libtorrent_loads_our_v1_torrent_checks_our_data_as_complete_and_seeds_it_to_aria2()
    {
        using var folder = new TempDirectory("tps-create-lt-aria2");
        var album = WriteAlbum(folder.Combine("data"));
        var created = await CreateAsync(album, TorrentVersion.V1, 32 * 1024);
        var torrent = Save(created, folder.Combine("album.torrent"), folder.Combine("data"));

        var read = await LibtorrentMetainfo.ReadTorrentAsync(torrent.TorrentPath);
        Assert.Equal((created.Torrent.Hash.Hex, true, false), (read.InfoHash, read.HasV1, read.HasV2));

        await using var downloader = await Aria2Downloader.StartAsync(torrent.Info);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { CheckData = true, ConnectTo = downloader.EndPoint });
        Assert.Equal(created.Torrent.PieceCount, seeder.PiecesFound); // checked, not trusted (no seed mode): every piece valid

        await downloader.WaitFinishedAsync(Download);

        await SameBytes.AssertAsync(album, downloader.DownloadPath);
    }

    /// <summary>
    /// aria2 1.36 knows nothing of BEP 52 and announces and handshakes with another info hash for any hybrid torrent
    /// (libtorrent's own too), so it cannot join a hybrid's swarm: a libtorrent downloader takes its place here.
    /// </summary>
    [Fact]
    public async Task Libtorrent_loads_our_hybrid_torrent_with_both_hashes_checks_our_data_as_complete_and_seeds_it()
    {
        using var folder = new TempDirectory("tps-create-lt-hybrid");
        var album = WriteAlbum(folder.Combine("data"));
        var created = await CreateAsync(album, TorrentVersion.Hybrid, 32 * 1024);
        var torrent = Save(created, folder.Combine("album.torrent"), folder.Combine("data"));

        var read = await LibtorrentMetainfo.ReadTorrentAsync(torrent.TorrentPath);
        Assert.Equal((created.Torrent.Hash.Hex, created.Torrent.InfoHashV2, true, true), (read.InfoHash, read.InfoHashV2, read.HasV1, read.HasV2));

        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { CheckData = true });
        Assert.Equal(created.Torrent.PieceCount, seeder.PiecesFound);
        await using var downloader = await LibtorrentDownloader.StartAsync(torrent.Info, seeder.EndPoint);

        await downloader.WaitFinishedAsync(Download);

        foreach (var file in created.Torrent.Files.Where(f => !f.IsPadding))
        {
            await SameBytes.AssertAsync(Path.Combine(album, file.Path), Path.Combine(downloader.DownloadPath, file.Path));
        }
    }

    [Theory]
    [InlineData(TorrentVersion.V1)]
    [InlineData(TorrentVersion.Hybrid)]
    public async Task Our_session_seeds_a_torrent_just_made_to_a_libtorrent_downloader(TorrentVersion version)
    {
        using var folder = new TempDirectory("tps-create-seed");
        var album = WriteAlbum(folder.Combine("data"));
        var created = await CreateAsync(album, version, null);
        var torrent = Save(created, folder.Combine("album.torrent"), folder.Combine("data"));

        await using var seeder = await TorrentPSSeeder.StartAsync(torrent.Info, torrent.DataDirectory);
        await using var downloader = await LibtorrentDownloader.StartAsync(torrent.Info, seeder.EndPoint);
        await downloader.WaitFinishedAsync(Download);

        foreach (var file in created.Torrent.Files.Where(f => !f.IsPadding))
        {
            await SameBytes.AssertAsync(Path.Combine(album, file.Path), Path.Combine(downloader.DownloadPath, file.Path));
        }

        Assert.Equal("Seeding", seeder.Torrent.Status.State.ToString()); // TorrentState moves from Session to Swarm on main
    }
}
