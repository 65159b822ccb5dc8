using System.Globalization;
using System.Text.RegularExpressions;
using TorrentPS.Engine.Storage;
using TorrentPS.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TorrentPS.Interop.Tests.Storage;

/// <summary>
/// `tps download` killed with SIGKILL after a checkpoint, while it goes on writing the same file, and run again: the
/// restart trusts every piece the last checkpoint recorded (it hashed all of them before, because the file's stamp had
/// moved since the record) and hashes only what was written after it.
/// </summary>
public sealed partial class KilledCheckpointTrustTests(ITestOutputHelper output)
{
    private const int PieceLength = 32 * 1024;
    private const int Rate = 1024 * 1024;

    [Fact]
    public async Task A_restart_after_kill_9_trusts_the_pieces_of_the_last_checkpoint()
    {
        using var folder = new TempDirectory("tps-kill-trust");
        var torrent = TestTorrent.Create(folder.Path, "trusted.bin", length: 8 * 1024 * 1024, pieceLength: PieceLength);
        var pieceCount = torrent.Info.PieceCount;
        await using var seeder = await LibtorrentSeeder.StartAsync(torrent, new LibtorrentSeederOptions { UploadBytesPerSecond = Rate });
        var target = folder.Combine("out", "trusted.bin");
        var resumePath = ContentLocation.GetDefaultResumePathAtPath(target, torrent.Info.Hash);
        string[] command = ["download", "-o", target, torrent.TorrentPath, "--peer", seeder.EndPoint.ToString(), "--timeout", "60"];

        // First run: killed once a checkpoint recorded pieces AND the download wrote the file again after it (the case
        // that lost everything: the file's stamp no longer matched the record). Any checkpoint interval gives one: the
        // first checkpoint comes with the first piece.
        string firstLog;
        await using (var first = Tps.Start(command))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!CheckpointThenWritten(resumePath, torrent, target))
            {
                Assert.False(first.HasExited, $"tps exited before a checkpoint was followed by writes:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, $"no checkpoint followed by writes within 30 s:\n{first.Output}\n---\n{seeder.Output}");
                await Task.Delay(50);
            }

            firstLog = first.Output;
        } // disposing kills it with SIGKILL

        var checkpointed = ResumeData.TryLoad(resumePath, torrent.Info, logger: null)!.VerifiedPieces.Count;
        Assert.NotEqual(FileStamp.Of(target), ResumeData.TryLoad(resumePath, torrent.Info, logger: null)!.FileStamps[0]);

        // Second run, the same command, with the engine's debug log (it says what it trusted).
        var secondLog = await Tps.RunAsync(command, TimeSpan.FromSeconds(60), logLevel: "debug");
        var match = Trusted().Match(secondLog);
        Assert.True(match.Success, secondLog);
        var trusted = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var toHash = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        var report = $"{checkpointed} pieces checkpointed, {trusted} trusted on restart, {toHash} hashed again of {pieceCount}\n--- first run ---\n{firstLog}\n--- second run ---\n{secondLog}";
        output.WriteLine($"{checkpointed} pieces checkpointed, {trusted} trusted on restart, {toHash} hashed again of {pieceCount}");

        Assert.True(checkpointed > 0 && checkpointed < pieceCount, report);
        Assert.True(trusted >= checkpointed, report);
        Assert.True(toHash < pieceCount - checkpointed, report); // only what was written after the record, not the whole file
        Assert.Contains($"Downloaded {torrent.TorrentPath} to {target}.", secondLog);
        TestContent.AssertSame(torrent.DataPath, target);
    }

    /// <summary>The resume data records some pieces, and the file was written again since (its stamp moved).</summary>
    private static bool CheckpointThenWritten(string resumePath, TestTorrent torrent, string target)
    {
        var record = File.Exists(resumePath) ? ResumeData.TryLoad(resumePath, torrent.Info, logger: null) : null;
        return record is { VerifiedPieces.Count: > 0 } && FileStamp.Of(target) is { Exists: true } now && now != record.FileStamps[0];
    }

    [GeneratedRegex(@"(\d+) pieces trusted as verified, (\d+) to hash again")]
    private static partial Regex Trusted();
}
