using System.Collections.Specialized;
using System.Security.Cryptography;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Conversion;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Formatting;
using TorrentPS.Storage;
using TorrentPS.Torrents;

namespace TorrentPS.Module.Tests.Storage;

public sealed class TorrentCheckRunnerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-check-{Guid.NewGuid():N}");
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(100_000);

    public TorrentCheckRunnerTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class Recorder
    {
        public List<object> Objects { get; } = [];

        public List<(string ErrorId, object? Target)> Errors { get; } = [];

        public List<string> Verbose { get; } = [];

        public List<ProgressUpdate> Progress { get; } = [];

        public List<string> Warnings { get; } = [];

        public List<(string Name, bool IsComplete)> Answers { get; } = [];

        public ProgressTracker Activities { get; } = new(minInterval: TimeSpan.Zero);

        public TorrentCheckOutput Output => new(
            o => Objects.Add(o),
            (e, t) => Errors.Add((ErrorRecordFactory.Classify(e).ErrorId, t)),
            v => Verbose.Add(v),
            activity => Activities.Start(activity, 0),
            u =>
            {
                if (u is not null)
                {
                    lock (Progress)
                    {
                        Progress.Add(u);
                    }
                }
            },
            w => Warnings.Add(w),
            a => Answers.Add(a));
    }

    /// <summary>A single-file torrent of <see cref="_content"/> in 16 KiB pieces, saved next to the data folder.</summary>
    private string TorrentFile(string name = "data.bin")
    {
        var hashes = new List<byte>();
        for (var offset = 0; offset < _content.Length; offset += 16384)
        {
            hashes.AddRange(SHA1.HashData(_content.AsSpan(offset, Math.Min(16384, _content.Length - offset))));
        }

        var info = new OrderedDictionary { ["length"] = _content.Length, ["name"] = name, ["piece length"] = 16384, ["pieces"] = hashes.ToArray() };
        var path = Path.Combine(_folder, name + ".torrent");
        File.WriteAllBytes(path, BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = info }));
        return path;
    }

    private string DataFolder()
    {
        var data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(data);
        return data;
    }

    [Fact]
    public async Task Writes_true_for_intact_data_and_false_once_a_byte_changes()
    {
        var torrent = TorrentFile();
        var data = DataFolder();
        File.WriteAllBytes(Path.Combine(data, "data.bin"), _content);
        var recorder = new Recorder();
        var runner = new TorrentCheckRunner(data, detailed: false, recorder.Output);
        await runner.RunAsync([TorrentInput.ForPath(torrent)], CancellationToken.None);

        _content[50_000] ^= 1;
        File.WriteAllBytes(Path.Combine(data, "data.bin"), _content);
        await runner.RunAsync([TorrentInput.ForPath(torrent)], CancellationToken.None);
        Assert.Equal([true, false], recorder.Objects);
        Assert.Empty(recorder.Errors);
    }

    [Fact]
    public async Task File_checks_only_the_files_chosen_and_names_the_others_absent_by_choice()
    {
        // Two files of 50 000 bytes in 16 KiB pieces: piece 3 holds the end of one.bin and the start of two.bin.
        var files = new List<object>
        {
            new OrderedDictionary { ["length"] = 50_000, ["path"] = new List<object> { "one.bin" } },
            new OrderedDictionary { ["length"] = 50_000, ["path"] = new List<object> { "two.bin" } },
        };
        var hashes = new List<byte>();
        for (var offset = 0; offset < _content.Length; offset += 16384)
        {
            hashes.AddRange(SHA1.HashData(_content.AsSpan(offset, Math.Min(16384, _content.Length - offset))));
        }

        var info = new OrderedDictionary { ["files"] = files, ["name"] = "pair", ["piece length"] = 16384, ["pieces"] = hashes.ToArray() };
        var torrent = TorrentInfo.Parse(BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = info }));
        var data = DataFolder();
        Directory.CreateDirectory(Path.Combine(data, "pair"));
        File.WriteAllBytes(Path.Combine(data, "pair", "two.bin"), _content.AsSpan(50_000).ToArray());
        var recorder = new Recorder();

        await new TorrentCheckRunner(data, detailed: true, recorder.Output, files: FileChoice.Of(["two.bin"])).RunAsync([TorrentInput.ForTorrent(torrent)], CancellationToken.None);
        await new TorrentCheckRunner(data, detailed: false, recorder.Output).RunAsync([TorrentInput.ForTorrent(torrent)], CancellationToken.None);

        var chosen = Assert.IsType<VerificationResult>(recorder.Objects[0]);
        Assert.Equal([FileVerificationStatus.Skipped, FileVerificationStatus.Incomplete], chosen.Files.Select(f => f.Status));
        Assert.Contains("1 file absent by choice, not checked (-File chose the other files): one.bin.", recorder.Verbose);

        // Piece 3's bytes of one.bin are not on disk (no part file here): two.bin cannot be verified whole without them.
        Assert.False(chosen.IsComplete);
        Assert.Equal(false, recorder.Objects[1]); // without -File and without resume data: every file
    }

    [Fact]
    public async Task Detailed_writes_the_verification_result()
    {
        var torrent = await TorrentInfo.LoadAsync(TorrentFile());
        var recorder = new Recorder();
        await new TorrentCheckRunner(DataFolder(), detailed: true, recorder.Output).RunAsync([TorrentInput.ForTorrent(torrent)], CancellationToken.None);
        var result = Assert.IsType<VerificationResult>(Assert.Single(recorder.Objects));
        Assert.Equal((7, 0, false), (result.MissingPieces.Count, result.ValidPieceCount, result.IsComplete));
        Assert.False(Assert.Single(result.Files).Exists);
        Assert.Contains(recorder.Verbose, v => v.Contains("0/7 pieces valid, 7 missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_torrent_is_an_error_naming_it_and_the_next_torrent_goes_on()
    {
        var bad = Path.Combine(_folder, "bad.torrent");
        File.WriteAllText(bad, "<html>not found</html>");
        var data = DataFolder();
        File.WriteAllBytes(Path.Combine(data, "data.bin"), _content);
        var recorder = new Recorder();
        await new TorrentCheckRunner(data, false, recorder.Output).RunAsync([TorrentInput.ForPath(bad), TorrentInput.ForPath(TorrentFile())], CancellationToken.None);
        Assert.Equal([("InvalidBencode", (object?)bad)], recorder.Errors);
        Assert.Equal([true], recorder.Objects);
    }

    [Fact]
    public async Task A_locked_data_file_is_a_FileLocked_error_for_that_torrent()
    {
        var torrent = TorrentFile();
        var data = DataFolder();
        File.WriteAllBytes(Path.Combine(data, "data.bin"), _content);
        using var holder = new FileStream(Path.Combine(data, "data.bin"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var recorder = new Recorder();
        await new TorrentCheckRunner(data, false, recorder.Output).RunAsync([TorrentInput.ForPath(torrent)], CancellationToken.None);
        Assert.Equal("FileLocked", Assert.Single(recorder.Errors).ErrorId);
        Assert.Empty(recorder.Objects);
    }

    [Fact]
    public async Task Progress_is_one_activity_per_torrent_in_bytes_ending_with_the_verdict()
    {
        var torrent = TorrentFile("named.bin");
        var data = DataFolder();
        File.WriteAllBytes(Path.Combine(data, "named.bin"), _content);
        var recorder = new Recorder();
        await new TorrentCheckRunner(data, false, recorder.Output, new TorrentVerifier(new TorrentVerifierOptions { ReadSize = 16384 })).RunAsync([TorrentInput.ForPath(torrent)], CancellationToken.None);
        Assert.All(recorder.Progress, p => Assert.Equal("Verifying named.bin", p.Activity));
        Assert.Single(recorder.Progress.Select(p => p.ActivityId).Distinct());
        Assert.Contains(recorder.Progress, p => !p.IsCompleted && p.StatusDescription.Contains("of 97.7 KiB", StringComparison.Ordinal));
        var last = recorder.Progress[^1];
        Assert.True(last.IsCompleted);
        Assert.Equal("7/7 pieces valid", last.StatusDescription);
    }

    [Fact]
    public async Task Cancellation_ends_the_run()
    {
        var recorder = new Recorder();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TorrentCheckRunner(DataFolder(), false, recorder.Output).RunAsync([TorrentInput.ForPath(TorrentFile())], cancelled.Token));
        Assert.Empty(recorder.Objects);
    }

    [Theory]
    [InlineData(0.4236, "0.42 s")]
    [InlineData(12.34, "12.3 s")]
    [InlineData(187, "3:07")]
    [InlineData(3723, "1:02:03")]
    public void Elapsed_times_are_short_in_the_views(double seconds, string expected)
        => Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public async Task A_data_folder_that_does_not_exist_is_DataPathNotFound_not_false()
    {
        var torrent = TorrentFile();
        var missing = Path.Combine(_folder, "nope");
        var recorder = new Recorder();

        await new TorrentCheckRunner(missing, detailed: false, recorder.Output).RunAsync([TorrentInput.ForPath(torrent)], CancellationToken.None);

        Assert.Empty(recorder.Objects);
        Assert.Equal([("DataPathNotFound", (object?)torrent)], recorder.Errors);
    }

    [Fact]
    public async Task The_torrents_own_top_folder_as_data_path_warns_what_to_pass()
    {
        // album/a.bin and album/b.bin given as -DataPath album: the check looks in album/album.
        var album = Path.Combine(_folder, "album");
        Directory.CreateDirectory(album);
        File.WriteAllBytes(Path.Combine(album, "a.bin"), _content.AsSpan(0, 60_000).ToArray());
        File.WriteAllBytes(Path.Combine(album, "b.bin"), _content.AsSpan(60_000).ToArray());
        var hashes = new List<byte>();
        for (var offset = 0; offset < _content.Length; offset += 16384)
        {
            hashes.AddRange(SHA1.HashData(_content.AsSpan(offset, Math.Min(16384, _content.Length - offset))));
        }

        var files = new object[]
        {
            new OrderedDictionary { ["length"] = 60_000, ["path"] = new object[] { "a.bin" } },
            new OrderedDictionary { ["length"] = 40_000, ["path"] = new object[] { "b.bin" } },
        };
        var info = new OrderedDictionary { ["files"] = files, ["name"] = "album", ["piece length"] = 16384, ["pieces"] = hashes.ToArray() };
        var torrent = TorrentInfo.Parse(BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = info }));
        var recorder = new Recorder();

        await new TorrentCheckRunner(album, detailed: false, recorder.Output).RunAsync([TorrentInput.ForTorrent(torrent)], CancellationToken.None);

        Assert.Equal([false], recorder.Objects);
        var warning = Assert.Single(recorder.Warnings);
        Assert.Contains("looks like the torrent's own folder", warning, StringComparison.Ordinal);
        Assert.Contains($"pass '{_folder}'", warning, StringComparison.Ordinal);

        // Its parent, as the warning says, is what was meant.
        var right = new Recorder();
        await new TorrentCheckRunner(_folder, detailed: false, right.Output).RunAsync([TorrentInput.ForTorrent(torrent)], CancellationToken.None);
        Assert.Equal([true], right.Objects);
        Assert.Empty(right.Warnings);
    }

    [Fact]
    public async Task Plain_answers_about_several_torrents_are_named_in_order()
    {
        var first = TorrentFile("one.bin");
        var second = TorrentFile("two.bin");
        var data = DataFolder();
        File.WriteAllBytes(Path.Combine(data, "one.bin"), _content);
        var recorder = new Recorder();

        await new TorrentCheckRunner(data, detailed: false, recorder.Output).RunAsync([TorrentInput.ForPath(first), TorrentInput.ForPath(second)], CancellationToken.None);

        Assert.Equal([true, false], recorder.Objects);
        Assert.Equal(
            "Checked 2 torrents; the answers came in this order: one.bin: complete, two.bin: not complete. -Detailed writes an object for each that names it.",
            TorrentCheckRunner.ManyAnswers(recorder.Answers));
        Assert.Null(TorrentCheckRunner.ManyAnswers(recorder.Answers.Take(1).ToList()));
    }
}
