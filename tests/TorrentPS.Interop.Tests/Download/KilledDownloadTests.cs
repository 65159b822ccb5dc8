using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using TorrentPS.Engine.Storage;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// `tps download` and `tps magnet_download` killed with SIGKILL mid-download and run again: each continues where the
/// killed run was, losing at most the pieces in flight (and a magnet's metadata is not fetched again).
/// </summary>
public sealed partial class KilledDownloadTests(ITestOutputHelper output)
{
    private const int PieceLength = 64 * 1024;
    private const int Rate = 1024 * 1024;

    [Theory]
    [InlineData("download")]
    [InlineData("magnet_download")]
    public async Task A_tps_download_killed_mid_way_completes_when_run_again_and_fetches_again_only_what_was_in_flight(string verb)
    {
        using var folder = new TempDirectory("tps-dl-kill");
        var torrent = TestTorrent.Create(folder.Path, "killed.bin", length: (8 * 1024 * 1024) + 4321, pieceLength: PieceLength);
        var pieceCount = torrent.Info.PieceCount;
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = Rate });
        var target = folder.Combine("out", "killed.bin");
        var resumePath = ContentLocation.GetDefaultResumePathAtPath(target, torrent.Info.Hash);
        var source = verb == "download" ? torrent.TorrentPath : MagnetDownloadTests.MagnetOf(torrent).Uri;
        string[] command = [verb, "-o", target, source, "--peer", seeder.EndPoint.ToString(), "--timeout", "60"];

        // First run: killed once a checkpoint recorded a good part (the CLI saves progress at the first piece, then every 5 s).
        int checkpointed;
        string firstLog;
        await using (var first = Tps.Start(command))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((checkpointed = CheckpointedPieces(resumePath, torrent)) < 24)
            {
                Assert.False(first.HasExited, $"tps exited before its first checkpoint:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, $"no checkpoint within 30 s:\n{first.Output}\n---\n{seeder.Output}");
                await Task.Delay(50);
            }

            firstLog = first.Output;
        } // disposing kills it with SIGKILL: no final checkpoint, no goodbye to the peer

        checkpointed = CheckpointedPieces(resumePath, torrent);
        var sentBeforeKill = await SettledUploadAsync(seeder);

        // Second run: the same command.
        var secondLog = await Tps.RunAsync(command, TimeSpan.FromSeconds(60));
        var sentInAll = await SettledUploadAsync(seeder);

        Assert.Contains($"Downloaded {source} to {target}.", secondLog);
        TestContent.AssertSame(torrent.DataPath, target);
        var found = int.Parse(AlreadyHere().Match(secondLog).Groups[1].Value, CultureInfo.InvariantCulture);
        var down = BytesDown().Match(secondLog);
        var downloaded = long.Parse(down.Groups[1].Value, CultureInfo.InvariantCulture);
        var wasted = long.Parse(down.Groups[2].Value, CultureInfo.InvariantCulture);
        var figures = $"{checkpointed} pieces checkpointed, {found} found on restart, {downloaded} bytes received by the second run ({wasted} of them blocks it did not ask for, or duplicates), seeder sent {sentBeforeKill} before the kill and {sentInAll} in all";
        output.WriteLine(figures);
        var report = $"{figures}\n--- first run ---\n{firstLog}\n--- second run ---\n{secondLog}";

        // Everything the first run had verified on disk is found again (resume data, and a re-hash of what changed after it)...
        Assert.True(found >= checkpointed, report);
        Assert.True(found < pieceCount, $"the first run finished before it was killed: nothing was tested\n{report}");

        // ...so the second run fetches only the missing pieces (libtorrent sometimes still sends the new connection a few
        // blocks the killed run had asked for: received, but not fetched, and counted as wasted), and what the kill lost
        // was in flight: the blocks requested (about half a second's worth at this rate), the pieces they belong to, and
        // what sat in the sockets' buffers.
        Assert.True(downloaded - wasted <= (long)(pieceCount - found) * PieceLength, report);
        var lost = sentInAll - downloaded - ((long)found * PieceLength);
        Assert.True(lost <= 2 * Rate, $"{lost} bytes sent to the killed run were lost\n{report}");
        if (verb == "magnet_download")
        {
            Assert.Contains("metadata received", firstLog);
            Assert.DoesNotContain("metadata received", secondLog);
            Assert.Contains("taken from the resume data", secondLog);
        }
    }

    /// <summary>Pieces the resume data records as verified (0 while there is none, or it is being replaced).</summary>
    private static int CheckpointedPieces(string resumePath, TestTorrent torrent)
        => File.Exists(resumePath) ? ResumeData.TryLoad(resumePath, torrent.Info, logger: null)?.VerifiedPieces.Count ?? 0 : 0;

    /// <summary>The seeder's upload count once it stopped changing (it reports every half second).</summary>
    private static async Task<long> SettledUploadAsync(LibtorrentSeeder seeder)
    {
        var last = -1L;
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(600);
            var now = seeder.Uploaded;
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    [GeneratedRegex(@"(\d+) of \d+ pieces already here")]
    private static partial Regex AlreadyHere();

    [GeneratedRegex(@"Completed \(\d+/\d+ pieces, (\d+) bytes down of which (\d+) wasted")]
    private static partial Regex BytesDown();
}
