using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>Pieces spread over several real libtorrent peers, none of which has them all: the picker must combine them.</summary>
public sealed class PartialSeedersDownloadTests
{
    [Fact]
    public async Task Pieces_spread_over_three_libtorrent_peers_that_each_hold_a_third_are_combined_byte_for_byte()
    {
        using var folder = new TempDirectory("tps-dl-part");
        var torrent = TestTorrent.Create(folder.Path, "thirds.bin", length: (30 * 64 * 1024) + 999, pieceLength: 64 * 1024);
        var seeders = new List<LibtorrentSeeder>();
        await using var download = new InteropDownload();
        try
        {
            for (var k = 0; k < 3; k++)
            {
                var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { CheckData = true, DataDirectory = PartialCopy(folder, torrent, k) });
                seeders.Add(seeder);
                download.Explain(() => seeder.Output);
                Assert.Equal(Enumerable.Range(0, torrent.Info.PieceCount).Count(i => i % 3 == k), seeder.PiecesFound);
            }

            var result = await download.CompletionAsync(download.Start(torrent, download.Options(seeders.Select(s => s.EndPoint).ToArray())));

            download.AssertComplete(result, torrent);
        }
        finally
        {
            foreach (var seeder in seeders)
            {
                await seeder.DisposeAsync();
            }
        }
    }

    /// <summary>A copy of the content with every piece but those with index ≡ <paramref name="k"/> (mod 3) zeroed.</summary>
    private static string PartialCopy(TempDirectory folder, TestTorrent torrent, int k)
    {
        var directory = folder.Combine($"part{k}");
        Directory.CreateDirectory(directory);
        var bytes = File.ReadAllBytes(torrent.DataPath);
        var pieceLength = (int)torrent.Info.PieceLength;
        for (var i = 0; i < torrent.Info.PieceCount; i++)
        {
            if (i % 3 != k)
            {
                bytes.AsSpan(i * pieceLength, Math.Min(pieceLength, bytes.Length - (i * pieceLength))).Clear();
            }
        }

        File.WriteAllBytes(Path.Combine(directory, torrent.Info.Name), bytes);
        return directory;
    }
}
