using System.Globalization;
using System.Text.RegularExpressions;
using TorrentPS.Engine.Storage;
using TorrentPS.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TorrentPS.Interop.Tests.Storage;

/// <summary>
/// Issue 19, item 3: the file of a running `tps download` truncated under it. The run must not end as a success, its
/// resume data must not vouch for any piece written before the change, and the next run checks those pieces, fetches
/// what is gone and ends with the right bytes.
/// </summary>
public sealed partial class ChangedOnDiskTests(ITestOutputHelper output)
{
    private const int PieceLength = 64 * 1024;
    private const int Rate = 2 * 1024 * 1024;

    [Fact]
    public async Task A_file_truncated_under_a_running_download_fails_the_run_and_the_next_run_repairs_it()
    {
        using var folder = new TempDirectory("tps-changed");
        var torrent = TestTorrent.Create(folder.Path, "changed.bin", length: 16 * 1024 * 1024, pieceLength: PieceLength);
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = Rate });
        var target = folder.Combine("out", "changed.bin");
        string[] command = ["download", "-o", target, torrent.TorrentPath, "--peer", seeder.EndPoint.ToString(), "--timeout", "60"];

        string firstLog;
        int exitCode;
        int checkpointed;
        await using (var first = Tps.Start(command))
        {
            // Once a checkpoint recorded a good part, the file is cut to 1 MiB behind the download's back.
            var resumePath = ContentLocation.GetDefaultResumePathAtPath(target, torrent.Info.Hash);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((checkpointed = Checkpointed(resumePath, torrent)) < 32)
            {
                Assert.False(first.HasExited, $"tps exited before the test changed its file:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, $"no checkpoint of 32 pieces within 30 s:\n{first.Output}\n---\n{seeder.Output}");
                await Task.Delay(20);
            }

            using (var file = File.OpenHandle(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                RandomAccess.SetLength(file, 1024 * 1024);
            }

            deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!first.HasExited)
            {
                Assert.True(DateTime.UtcNow < deadline, $"tps did not end within 60 s:\n{first.Output}");
                await Task.Delay(50);
            }

            exitCode = first.ExitCode;
            firstLog = first.Output;
        }

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{firstLog}");
        Assert.Contains("changed on disk", firstLog);
        Assert.DoesNotContain("Downloaded ", firstLog);

        // The record vouches for nothing the truncation could have taken, and asks for those pieces to be hashed.
        var record = ResumeData.TryLoad(ContentLocation.GetDefaultResumePathAtPath(target, torrent.Info.Hash), torrent.Info, logger: null)!;
        Assert.True(record.RecheckPieces.Count >= checkpointed, $"{record.RecheckPieces.Count} pieces to recheck, {checkpointed} were verified before the change");

        // The next run hashes them, fetches what is gone, and ends with the right bytes.
        var secondLog = await Tps.RunAsync(command, TimeSpan.FromSeconds(60), logLevel: "debug");
        var toHash = int.Parse(Trusted().Match(secondLog).Groups[2].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{record.VerifiedPieces.Count} pieces vouched for, {record.RecheckPieces.Count} to recheck; the next run hashed {toHash}");
        Assert.True(toHash >= record.RecheckPieces.Count, secondLog);
        Assert.Contains($"Downloaded {torrent.TorrentPath} to {target}.", secondLog);
        TestContent.AssertSame(torrent.DataPath, target);
    }

    private static int Checkpointed(string resumePath, TestTorrent torrent)
        => File.Exists(resumePath) ? ResumeData.TryLoad(resumePath, torrent.Info, logger: null)?.VerifiedPieces.Count ?? 0 : 0;

    [GeneratedRegex(@"(\d+) pieces trusted as verified, (\d+) to hash again")]
    private static partial Regex Trusted();
}
