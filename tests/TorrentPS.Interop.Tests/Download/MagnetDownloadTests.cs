using System.Net;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// Magnet links (BEP 9): the info dictionary fetched over ut_metadata from real seeders, checked against the info hash,
/// then the content downloaded with the same connections and compared byte for byte.
/// </summary>
public sealed class MagnetDownloadTests
{
    public enum Seeder
    {
        Libtorrent,
        Aria2,
    }

    [Theory]
    [InlineData(Seeder.Libtorrent, false)]
    [InlineData(Seeder.Libtorrent, true)]
    [InlineData(Seeder.Aria2, false)]
    [InlineData(Seeder.Aria2, true)]
    public async Task The_metadata_and_content_of_a_magnet_link_come_from_a_reference_seeder(Seeder kind, bool multiFile)
    {
        using var folder = new TempDirectory("tps-mag");
        var torrent = multiFile ? await ManyFilesAsync(folder) : TestTorrent.Create(folder.Path, "magnet-single.bin", length: (1024 * 1024) + 4097, pieceLength: 32 * 1024);
        await using ISeeder seeder = kind == Seeder.Libtorrent ? await LibtorrentSeeder.StartAsync(torrent) : await Aria2Seeder.StartAsync(torrent);
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);

        var running = download.Start(MagnetOf(torrent), download.Options(seeder.EndPoint));
        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
        Assert.True(running.Info!.GetRawInfo().Span.SequenceEqual(torrent.Info.GetRawInfo().Span));
        Assert.Equal(torrent.Info.Name, result.Name);
    }

    [Fact]
    public async Task A_magnet_link_whose_only_peer_source_is_its_x_pe_address_downloads()
    {
        using var folder = new TempDirectory("tps-mag-xpe");
        var torrent = TestTorrent.Create(folder.Path, "xpe.bin", length: 500_000, pieceLength: 32 * 1024);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);
        var magnet = MagnetLink.Parse($"magnet:?xt=urn:btih:{torrent.Info.Hash.Hex}&dn=xpe.bin&x.pe={seeder.EndPoint}");
        var options = download.Options();
        Assert.Empty(options.Peers);
        Assert.False(options.UseTrackers);

        var result = await download.CompletionAsync(download.Start(magnet, options));

        download.AssertComplete(result, torrent);
    }

    [Theory]
    [InlineData(16 * 1024)] // exactly one ut_metadata piece
    [InlineData((16 * 1024) + 1)] // a second piece of one byte
    [InlineData(32 * 1024)] // exactly two
    [InlineData(40_000)] // three, the last short
    public async Task Metadata_of_any_size_arrives_whole_from_libtorrent(int metadataSize)
    {
        using var folder = new TempDirectory("tps-mag-size");
        var torrent = TestTorrent.Create(folder.Path, $"meta-{metadataSize}.bin", length: 200_000, pieceLength: 16 * 1024, infoLength: metadataSize);
        Assert.Equal(metadataSize, torrent.Info.GetRawInfo().Length);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);

        var running = download.Start(MagnetOf(torrent), download.Options(seeder.EndPoint));
        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
        Assert.Contains(download.LogMessages, m => m.Contains($"metadata received ({metadataSize} bytes)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_magnet_download_stopped_after_its_metadata_arrived_resumes_without_fetching_the_metadata_again()
    {
        using var folder = new TempDirectory("tps-mag-stop");
        var torrent = TestTorrent.Create(folder.Path, "resumed.bin", length: (3 * 1024 * 1024) + 11, pieceLength: 32 * 1024);
        await using var download = new InteropDownload();
        var magnet = MagnetOf(torrent);
        int stoppedWith;
        await using (var slow = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = 1024 * 1024 }))
        {
            download.Explain(() => slow.Output);
            var first = download.Start(magnet, download.Options(slow.EndPoint));
            await download.WaitUntilAsync(() => first.Status.VerifiedPieces >= 10, "ten pieces arrived");
            var stopped = await first.StopAsync();
            Assert.Equal(TorrentState.Stopped, stopped.State);
            stoppedWith = stopped.VerifiedPieces;
            Assert.True(stoppedWith < torrent.Info.PieceCount, "the first run finished: nothing was tested");
        }

        var known = MagnetResume.TryLoad(magnet, download.ResumePath(magnet.Hash));
        Assert.NotNull(known);
        Assert.Equal(torrent.Info.Hash, known.Hash);

        // The second run starts from the metadata in the resume data: it never fetches it.
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent);
        download.Explain(() => seeder.Output);
        var second = download.Start(magnet, download.Options(seeder.EndPoint), known);
        var result = await download.CompletionAsync(second);

        download.AssertComplete(result, torrent);

        // Only the first run fetched metadata (the loop logs every change of state).
        Assert.Single(download.LogMessages, m => m.Contains("-> FetchingMetadata", StringComparison.Ordinal));
        Assert.Single(download.LogMessages, m => m.Contains("metadata received", StringComparison.Ordinal));

        Assert.True(result.Downloaded <= (torrent.Info.PieceCount - stoppedWith) * torrent.Info.PieceLength, $"the second run fetched {result.Downloaded} bytes after {stoppedWith} pieces were saved");
    }

    internal static MagnetLink MagnetOf(TestTorrent torrent) => MagnetLink.Parse($"magnet:?xt=urn:btih:{torrent.Info.Hash.Hex}");

    /// <summary>A torrent of 400 small files in nested folders: its info dictionary spans several ut_metadata pieces.</summary>
    private static async Task<TestTorrent> ManyFilesAsync(TempDirectory folder)
    {
        var data = folder.Combine("data");
        var files = Enumerable.Range(0, 400).Select(i => ($"dossier-{i % 7}/sous-dossier-{i % 3}/fichier numéro {i:000}.dat", 1000 + (i * 37 % 3000))).ToArray();
        var root = TestContent.CreateTree(data, "magnet-many", files);
        var torrentPath = folder.Combine("magnet-many.torrent");
        await Mktorrent.CreateAsync(root, torrentPath, new MktorrentOptions { PieceLengthExponent = 15 });
        var torrent = TestTorrent.Load(data, torrentPath);
        Assert.True(torrent.Info.GetRawInfo().Length > UtMetadataMessage.PieceLength, $"{torrent.Info.GetRawInfo().Length} bytes of metadata");
        Assert.NotEqual(0, torrent.Info.GetRawInfo().Length % UtMetadataMessage.PieceLength);
        return torrent;
    }
}
